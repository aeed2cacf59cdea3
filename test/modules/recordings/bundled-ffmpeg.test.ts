// `npm install && npm start` compresses without a system ffmpeg: with none on PATH the worker uses
// the binary of the @ffmpeg-installer package, and /health says which one it uses.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFfmpeg } from '../../../src/modules/recordings/ffmpeg.js';
import { bundledFfmpegPath } from '../../../src/modules/recordings/bundled-ffmpeg.js';
import {
  buildRecordingsApp,
  makeTone,
  upload,
  waitForStatus,
  type RecordingsFixture,
} from './recordings-fixture.js';
import { silentLogger } from '../../helpers/silent-logger.js';

interface FfmpegHealth {
  status: string;
  details?: { path: string; source: string; version: string };
}

const ffmpegHealth = async (fixture: RecordingsFixture): Promise<FfmpegHealth | undefined> => {
  const health = await fixture.app.inject({ method: 'GET', url: '/health' });
  return health.json<{ dependencies: Record<string, FfmpegHealth> }>().dependencies.ffmpeg;
};

describe('ffmpeg when none is on PATH', () => {
  const path = process.env.PATH;
  let dir: string;
  let mp3: Buffer;
  let fixture: RecordingsFixture;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bundled-ffmpeg-'));
    // Made with the system ffmpeg while it is still on PATH.
    mp3 = await readFile(await makeTone(dir, { seconds: 2, format: 'mp3' }));
    // An empty folder only (node and ffmpeg share /usr/bin here): no ffmpeg anywhere on PATH, for
    // this test file's process only; nothing here spawns anything else by name.
    process.env.PATH = dir;
    fixture = await buildRecordingsApp();
  });

  afterAll(async () => {
    process.env.PATH = path;
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('then the bundled binary compresses, and /health names it with its version', async () => {
    expect(bundledFfmpegPath()).toContain('@ffmpeg-installer');
    const { id } = (await upload(fixture, { data: mp3 })).json<{ id: string }>();
    const result = await waitForStatus(fixture, id, 'completed');
    expect(result.stages.compress?.state).toBe('done');
    expect(result.compressedBytes).toBeGreaterThan(0);
    expect(result.compressedBytes).toBeLessThan(mp3.length);

    const ffmpeg = await ffmpegHealth(fixture);
    expect(ffmpeg?.status).toBe('healthy');
    expect(ffmpeg?.details?.source).toBe('bundled');
    expect(ffmpeg?.details?.path).toBe(bundledFfmpegPath());
    expect(ffmpeg?.details?.version).toMatch(/\S/);
  });

  it('then an FFMPEG_PATH set on purpose is never replaced by the bundled one', async () => {
    const ffmpeg = createFfmpeg({
      path: '/nonexistent/ffmpeg',
      bundledPath: bundledFfmpegPath,
      logger: silentLogger(),
    });
    const found = await ffmpeg.availability();
    expect(found.ok).toBe(false);
    expect((await ffmpeg.check.check(AbortSignal.timeout(5000))).status).toBe('degraded');
  });
});
