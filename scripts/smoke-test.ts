// `npm run smoke -- --url https://…` (or SMOKE_URL): what the pipelines run against the staging slot
// before a swap and against production after it. It waits for /health, then runs every check in
// scripts/smoke/smoke-checks.ts, one line each (`ok`, `skip … : skipped: no provider`, `FAIL`),
// deletes what it created, and exits 0 when nothing failed, 1 otherwise, 2 on bad usage.
// The test identity: `--token` or SMOKE_TOKEN, a bearer token for AUTH_MODE=jwt (the pipelines get
// one with `az account get-access-token`); none for AUTH_MODE=none.
import { parseArgs } from 'node:util';
import { createApi, type Api } from './smoke/smoke-api.js';
import { checks, CheckSkipped, type SmokeContext } from './smoke/smoke-checks.js';

interface SmokeOptions {
  url: string;
  token?: string;
  /** How long /health may take to answer 200 after a deploy or a swap (the slot warms up). */
  waitSeconds: number;
  /** How long a recording or a scan may take to finish. */
  jobSeconds: number;
  log: (line: string) => void;
}

/** Polls /health until 200 or the wait is over (the last answer is the error). */
async function waitForHealth(api: Api, options: SmokeOptions): Promise<void> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  for (;;) {
    try {
      await api.call('GET', '/health');
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      options.log(`  waiting for /health: ${(error as Error).message.slice(0, 120)}`);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

/** Deletes what the checks created, newest first; resolves to the number of deletions that failed. */
async function cleanUp(context: SmokeContext, log: (line: string) => void): Promise<number> {
  const failures: string[] = [];
  for (const { what, run } of context.cleanup.reverse()) {
    try {
      await run();
    } catch (error) {
      failures.push(`${what}: ${(error as Error).message}`);
    }
  }
  if (failures.length === 0) log(`ok   clean-up: deleted what the checks created`);
  else log(`FAIL clean-up: ${failures.join('; ')}`);
  return failures.length === 0 ? 0 : 1;
}

/** Runs every check, each reported on its own line; resolves to the number that failed. */
async function runSmokeTest(options: SmokeOptions): Promise<number> {
  const api = createApi({
    base: options.url.replace(/\/$/, ''),
    ...(options.token ? { token: options.token } : {}),
  });
  options.log(`smoke test of ${options.url}`);
  try {
    await waitForHealth(api, options);
    options.log('ok   GET /health');
  } catch (error) {
    options.log(`FAIL GET /health: ${(error as Error).message}`);
    return 1;
  }
  const context: SmokeContext = { api, cleanup: [], jobSeconds: options.jobSeconds };
  let failed = 0;
  for (const [name, check] of Object.entries(checks)) {
    try {
      await check(context);
      options.log(`ok   ${name}`);
    } catch (error) {
      if (error instanceof CheckSkipped) {
        options.log(`skip ${name}: skipped: ${error.message}`);
        continue;
      }
      failed += 1;
      options.log(`FAIL ${name}: ${(error as Error).message}`);
    }
  }
  return failed + (await cleanUp(context, options.log));
}

const usage =
  'usage: npm run smoke -- --url https://app.azurewebsites.net [--token T] [--wait-seconds 180] [--job-seconds 180]\n' +
  '       (or SMOKE_URL, SMOKE_TOKEN in the environment)\n';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    'wait-seconds': { type: 'string', default: '180' },
    'job-seconds': { type: 'string', default: '180' },
  },
});
const url = values.url ?? process.env.SMOKE_URL;
const seconds = (value: string | undefined) =>
  value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
const [waitSeconds, jobSeconds] = [seconds(values['wait-seconds']), seconds(values['job-seconds'])];
if (!url || Number.isNaN(waitSeconds) || Number.isNaN(jobSeconds)) {
  process.stderr.write(usage);
  process.exit(2);
}
const token = values.token ?? process.env.SMOKE_TOKEN;
const failed = await runSmokeTest({
  url,
  ...(token ? { token } : {}),
  waitSeconds,
  jobSeconds,
  log: (line) => process.stdout.write(`${line}\n`),
});
process.exitCode = failed === 0 ? 0 : 1;
