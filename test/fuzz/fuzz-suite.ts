// Every operation in the OpenAPI document, fuzzed from its own schemas (OWASP API3, API4, API8):
// FUZZ_RUNS cases each (1,000 by default; FUZZ_SEED replays a run). The operations are split
// across the `fuzz-routes-<part>-of-<parts>.test.ts` files so vitest's workers share them; each
// file runs this suite for its part. Properties: no 5xx, errors are problem+json with the
// correlation id, a 4xx changes nothing, a 2xx matches its declared schema, and the heap comes
// back near its baseline once the run is over. Each part leaves a summary in reports/fuzz/.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFuzzApp } from './fuzz-app.js';
import { heapAfterGc } from './heap.js';
import { sendOverHttp } from './send-over-http.js';
import { requestsFor, type FuzzRequest, type Operation } from './operation-requests.js';
import { checkResponse, responseValidators, type FuzzResponse } from './response-properties.js';
import type { JsonSchema, KnownValues } from './schema-arbitraries.js';
import { seedObjects } from './seed-objects.js';
import { stateSnapshotter, type StateSnapshot } from './state-snapshot.js';

const runs = Number(process.env.FUZZ_RUNS ?? 1000);
// CI gates on a reproducible sample (a red run must be replayable and must not come and go by
// chance); a local run draws a new sample each time, to find what CI's has not. The seed is drawn
// here rather than by fast-check so the summary can name it.
const ciSeed = 20261126;
const seedSetting = process.env.FUZZ_SEED ?? (process.env.CI === 'true' ? String(ciSeed) : undefined);
const seed = seedSetting === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(seedSetting);

/**
 * Findings not fixed yet, each an open item of issue 13: skipped by name, so the run says so,
 * rather than left to fail at random or dropped silently. Remove an entry with its fix.
 */
const openFindings: Record<string, string> = {};

const here = fileURLToPath(new URL('.', import.meta.url));
const partFile = /^fuzz-routes-(\d+)-of-(\d+)\.test\.ts$/;
const summaryDir = fileURLToPath(new URL('../../reports/fuzz/', import.meta.url));

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

interface NamedOperation {
  name: string;
  method: string;
  path: string;
  operation: Operation;
}

/** Every operation of the document, in name order. */
export function operationsOf(document: Document): NamedOperation[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        name: `${method.toUpperCase()} ${path}`,
        method,
        path,
        operation,
      })),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Part `part` (1-based) of `parts`: every `parts`-th operation in name order, so parts are even. */
export const partOf = <T>(operations: T[], part: number, parts: number): T[] =>
  operations.filter((_operation, index) => index % parts === part - 1);

const isStream = (operation: Operation) =>
  Object.values(operation.responses).some(
    (response) => response.content?.['text/event-stream'] !== undefined,
  );

/** A request that gets no answer at all is a failure too (a body cut off must not hold it open). */
const hangMs = 20_000;

/** Answers by status class, for the summary. */
type StatusClasses = Record<'2xx' | '3xx' | '4xx' | '5xx', number>;

const statusClass = (status: number) =>
  `${Math.min(5, Math.max(2, Math.floor(status / 100)))}xx` as keyof StatusClasses;

async function fuzzApp() {
  const dataDir = await mkdtemp(join(tmpdir(), 'azimuth-fuzz-'));
  const fuzz = await buildFuzzApp(dataDir);
  const { app } = fuzz.t;
  const tokens = {
    admin: (await fuzz.t.auth('fuzz-admin', ['admin'])).authorization,
    user: (await fuzz.t.auth('fuzz-user')).authorization,
  };
  const known: KnownValues = await seedObjects(app, tokens);
  // The seeded uploads went through the ledger: it follows the stores the routes really use.
  if (fuzz.ledger.writes === 0) throw new Error('the blob ledger saw none of the seeded uploads');
  const snapshot = await stateSnapshotter({ ...fuzz, dataDir });
  // Event streams need a real socket (they hold it open): those go over HTTP, the rest through inject.
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  return { dataDir, fuzz, app, tokens, known, snapshot, baseUrl };
}

function injector(app: Awaited<ReturnType<typeof fuzzApp>>['app']) {
  return async (request: FuzzRequest): Promise<FuzzResponse> => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${hangMs / 1000} s`));
      }, hangMs);
    });
    try {
      const response = await Promise.race([app.inject({ ...request, signal: controller.signal }), hung]);
      // A real exchange ends with its request closed (the socket goes, or the body was read); an
      // injected one whose body nobody read stays open forever, and so would the upload guard's
      // stall watch on it (a timer holding the request and its reply): close it as a socket would.
      response.raw.req.destroy();
      return { statusCode: response.statusCode, headers: response.headers, body: response.body };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Runs the suite for part `part` of `parts` (the file's name says which). */
export function fuzzPart(part: number, parts: number): void {
  describe(`operations of part ${part} of ${parts} under ${runs} generated requests each`, async () => {
    const setup = await fuzzApp();
    const { app, tokens, known, snapshot, baseUrl } = setup;
    const document = app.swagger() as unknown as Document;
    const all = operationsOf(document);
    const mine = partOf(all, part, parts);
    const baselineHeap = await heapAfterGc();
    const inject = injector(app);
    const statuses: StatusClasses = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
    const passed: string[] = [];
    /** The state after the last refusal: nothing runs between cases (no workers), so it is the next one's before. */
    let unchanged: StateSnapshot | undefined;

    afterAll(async () => {
      await writeSummary({ part, parts, operations: mine.map((o) => o.name), passed, statuses });
      await setup.fuzz.close();
      await rm(setup.dataDir, { recursive: true, force: true });
    });

    it('covers its share, and the part files together cover every operation in the document', async () => {
      expect(all.length).toBeGreaterThan(40);
      expect(mine.length).toBeGreaterThan(0);
      const files = (await readdir(here))
        .map((file) => partFile.exec(file))
        .filter((match) => match !== null);
      expect(files.every((match) => Number(match[2]) === parts)).toBe(true);
      const covered = files.map((match) => Number(match[1])).sort((a, b) => a - b);
      expect(covered).toEqual(Array.from({ length: parts }, (_value, index) => index + 1));
      const union = covered.flatMap((p) => partOf(all, p, parts).map((o) => o.name));
      expect(union.sort()).toEqual(all.map((o) => o.name).sort());
    });

    it.each(mine.filter(({ name }) => !(name in openFindings)))(
      '$name',
      async ({ name, method, path, operation }) => {
        const validators = responseValidators(operation, document.components);
        const send = isStream(operation)
          ? (request: FuzzRequest) => sendOverHttp(baseUrl, request, hangMs)
          : inject;
        const context = {
          resolve: (ref: string) => document.components.schemas[ref.split('/').at(-1) ?? ''] ?? {},
          known,
          authorizations: [tokens.admin, tokens.user],
        };
        await fc.assert(
          fc.asyncProperty(requestsFor(method, path, operation, context), async (request) => {
            const before = unchanged ?? (await snapshot());
            unchanged = undefined;
            const response = await send(request);
            statuses[statusClass(response.statusCode)]++;
            checkResponse(response, validators);
            if (response.statusCode < 400) return;
            const after = await snapshot();
            expect(after, 'a refused request changed state').toEqual(before);
            unchanged = after;
          }),
          { numRuns: runs, seed },
        );
        passed.push(name);
      },
      1_200_000,
    );

    for (const [name, finding] of Object.entries(openFindings))
      if (mine.some((o) => o.name === name)) it.skip(`${name}: open finding: ${finding}`);

    // Issue 13. What stays after the run is what warms up once (compiled code, ~10 MB) and what
    // the app keeps by design within its bounds (cache entries, the event bus's replay, the last
    // finished jobs): 12–13 MB at 1,000 cases. 64 MB still catches a leak of a few KB per request
    // (24,000 requests a part). The fixture keeps nothing unbounded: a silent test logger keeps no
    // lines, and every injected request is closed once answered (see `injector`).
    it('then the heap returns near its baseline', async () => {
      const generous = 64 * 1024 * 1024;
      expect(await heapAfterGc()).toBeLessThan(baselineHeap + generous);
    });
  });
}

/** reports/fuzz/part-<part>-of-<parts>.json: what this part tried, for the reliability report. */
async function writeSummary(result: {
  part: number;
  parts: number;
  operations: string[];
  passed: string[];
  statuses: StatusClasses;
}): Promise<void> {
  const { part, parts, operations, passed, statuses } = result;
  const summary = {
    part,
    parts,
    operations: operations.length,
    passedOperations: passed.length,
    failed: operations.filter((name) => !passed.includes(name) && !(name in openFindings)),
    skipped: Object.keys(openFindings).filter((name) => operations.includes(name)),
    statuses,
    casesPerOperation: runs,
    totalCases: Object.values(statuses).reduce((a, b) => a + b, 0),
    seed,
    replay: `FUZZ_SEED=${seed} FUZZ_RUNS=${runs}`,
    date: new Date().toISOString(),
  };
  await mkdir(summaryDir, { recursive: true });
  await writeFile(
    join(summaryDir, `part-${result.part}-of-${result.parts}.json`),
    `${JSON.stringify(summary, null, 2)}\n`,
  );
}
