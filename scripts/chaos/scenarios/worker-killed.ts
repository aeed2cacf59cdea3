// A worker SIGKILLed in the middle of a recording (while its ffmpeg runs). After the next worker
// starts, the job is taken over and ends with exactly one result (one transcription, one analysis),
// and the temporary directory the dead worker left is gone. (killToResultMs includes starting the
// new worker process.)
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished, jobTempDirs, msUntil, uploadRecording } from '../probes.js';
import { check, type Scenario } from '../scenario.js';

/** An ffmpeg that hangs when asked to compress and says where it is, so the kill lands mid-job. */
async function slowFfmpeg(dir: string): Promise<{ path: string; pidFile: string }> {
  const pidFile = join(dir, 'slow-ffmpeg.pid');
  const path = join(dir, 'slow-ffmpeg.sh');
  await writeFile(
    path,
    `#!/bin/sh\ncase "$*" in *-version*) exec ffmpeg "$@";; esac\necho $$ > "${pidFile}"\nexec sleep 120\n`,
  );
  await chmod(path, 0o755);
  return { path, pidFile };
}

export const workerKilled: Scenario = {
  name: 'worker-killed',
  fault: 'Worker SIGKILLed mid-job; the next worker takes over',
  async run(stack, { log }) {
    const { apiUrl, llm } = stack;
    const ffmpeg = await slowFfmpeg(stack.tempRoot);
    stack.worker.child.kill('SIGTERM');
    await stack.worker.exited;
    const doomed = await stack.startWorker({ FFMPEG_PATH: ffmpeg.path });
    llm.reset();
    llm.answer = stack.llmAnswer;
    const upload = await uploadRecording(apiUrl, 'killed mid-job');
    const hung = await msUntil(async () => (await readFile(ffmpeg.pidFile, 'utf8')).trim() !== '', 30_000);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    if (hung !== undefined) process.kill(Number((await readFile(ffmpeg.pidFile, 'utf8')).trim()), 'SIGKILL');
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
