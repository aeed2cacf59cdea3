// Every operation in the OpenAPI document, fuzzed from its own schemas (OWASP API3, API4, API8):
// FUZZ_RUNS cases each (100 by default, as in CI, where 1,000 would cost ~14 minutes on a 2-core
// machine; FUZZ_RUNS=1000 for the full run; FUZZ_SEED replays a run). Properties: no 5xx,
// errors are problem+json with the correlation id, a 4xx changes nothing, a 2xx matches its
// declared schema, and the heap comes back near its baseline once the run is over.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const runs = Number(process.env.FUZZ_RUNS ?? 100);
// CI gates on a reproducible sample (a red run must be replayable and must not come and go by
// chance); a local run draws a new sample each time, to find what CI's has not.
const ciSeed = 20261126;
const seedSetting = process.env.FUZZ_SEED ?? (process.env.CI === 'true' ? String(ciSeed) : undefined);
const seed = seedSetting === undefined ? {} : { seed: Number(seedSetting) };

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

const dataDir = await mkdtemp(join(tmpdir(), 'azimuth-fuzz-'));
const fuzz = await buildFuzzApp(dataDir);
const { app } = fuzz.t;
const document = app.swagger() as unknown as Document;
const tokens = {
  admin: (await fuzz.t.auth('fuzz-admin', ['admin'])).authorization,
  user: (await fuzz.t.auth('fuzz-user')).authorization,
};
const known: KnownValues = await seedObjects(app, tokens);
const snapshot = await stateSnapshotter({ databases: fuzz.databases, dataDir, counters: fuzz.counters });
// Event streams need a real socket (they hold it open): those go over HTTP, the rest through inject.
const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
const baselineHeap = await heapAfterGc();

const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({
    name: `${method.toUpperCase()} ${path}`,
    method,
    path,
    operation,
  })),
);

/** The state after the last refusal: nothing runs between cases (no workers), so it is the next one's before. */
let unchanged: StateSnapshot | undefined;

const isStream = (operation: Operation) =>
  Object.values(operation.responses).some(
    (response) => response.content?.['text/event-stream'] !== undefined,
  );

/** A request that gets no answer at all is a failure too (a body cut off must not hold it open). */
const hangMs = 20_000;

async function inject(request: FuzzRequest): Promise<FuzzResponse> {
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
    return { statusCode: response.statusCode, headers: response.headers, body: response.body };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Findings not fixed yet, each an open item of issue 13: skipped by name, so the run says so,
 * rather than left to fail at random or dropped silently. Remove an entry with its fix.
 */
const openFindings: Record<string, string> = {};

describe(`every operation under ${runs} generated requests`, () => {
  afterAll(async () => {
    await fuzz.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('covers every operation in the document', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  it.each(operations.filter(({ name }) => !(name in openFindings)))(
    '$name',
    async ({ method, path, operation }) => {
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
          checkResponse(response, validators);
          if (response.statusCode < 400) return;
          const after = await snapshot();
          expect(after, 'a refused request changed state').toEqual(before);
          unchanged = after;
        }),
        { numRuns: runs, ...seed },
      );
    },
    600_000,
  );

  for (const [name, finding] of Object.entries(openFindings)) it.skip(`${name}: open finding: ${finding}`);

  it('then the heap returns near its baseline', async () => {
    const generous = 64 * 1024 * 1024;
    expect(await heapAfterGc()).toBeLessThan(baselineHeap + generous);
  });
});
