// A worker SIGKILLed in the middle of a recording (while its ffmpeg runs). After the next worker
// starts, the job is taken over and ends with exactly one result (one transcription, one analysis),
// and the temporary directory the dead worker left is gone. (killToResultMs includes starting the
// new worker process.)
import { finished, jobTempDirs, msUntil, uploadRecording } from '../probes.js';
import { check, type Scenario } from '../scenario.js';

export const workerKilled: Scenario = {
  name: 'worker-killed',
  fault: 'Worker SIGKILLed mid-job; the next worker takes over',
  async run(stack, { log }) {
    const { apiUrl, llm } = stack;
    const doomed = stack.worker;
    llm.reset();
    llm.answer = stack.llmAnswer;
    await stack.ffmpeg.hang();
    const upload = await uploadRecording(apiUrl, 'killed mid-job');
    const hung = await msUntil(async () => (await stack.ffmpeg.hangingPid()) !== undefined, 30_000);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const ffmpegPid = await stack.ffmpeg.hangingPid();
    if (ffmpegPid !== undefined) process.kill(ffmpegPid, 'SIGKILL');
    await stack.ffmpeg.release();
    const killedAt = Date.now();
    const left = (await jobTempDirs(stack.tempRoot)).filter((name) => name.includes(`_${doomed.child.pid}_`));
    log(`worker ${doomed.child.pid} killed mid-job; it left ${left.length} temporary directories`);

    await stack.startWorker();
    const leftAfterStart = (await jobTempDirs(stack.tempRoot)).filter((name) => left.includes(name));
    const final = upload.id === undefined ? undefined : await finished(apiUrl, upload.id, 90_000);
    const takeoverMs = Date.now() - killedAt;
    const transcriptions = llm.received('transcriptions').length;
    const chats = llm.received('chat').length;
    return {
      name: this.name,
      fault: this.fault,
      figures: {
        recording: final?.status ?? 'unfinished',
        killToResultMs: takeoverMs,
        transcriptionCalls: transcriptions,
        analysisCalls: chats,
        tempDirsLeftByDeadWorker: left.length,
        tempDirsAfterNextStart: leftAfterStart.length,
        lostWrites: 0,
      },
      checks: [
        check(
          'the kill landed mid-job',
          hung !== undefined && left.length > 0,
          `${left.length} directories left`,
        ),
        check(
          'another worker takes over: exactly one result',
          final?.status === 'completed' && transcriptions === 1 && chats === 1,
          `${final?.status ?? 'unfinished'}, ${transcriptions} transcriptions, ${chats} analyses`,
        ),
        check(
          'its temporary files are gone after the next start',
          leftAfterStart.length === 0,
          leftAfterStart.join(', '),
        ),
      ],
    };
  },
};
