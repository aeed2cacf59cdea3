// The API SIGKILLed while Redis is down and writes are in flight, then Redis and a new API started.
// Every star acknowledged before the kill was written with its change event in one transaction
// (the outbox), so the new API's relay announces it: a connected SSE client (it reconnects with
// Last-Event-ID, as a browser does) gets each acknowledged star's event exactly once. Every file
// delete acknowledged before the kill has its audit record, written before the 204.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ChaosStack } from '../chaos-stack.js';
import { call } from '../http-outcome.js';
import { msUntil, sleep } from '../probes.js';
import { check, type Scenario, type ScenarioOptions } from '../scenario.js';
import { openSseClient, type SseClient } from '../sse-client.js';

/** Writers in flight at once: several requests are mid-way when the kill lands. */
const WRITERS = 6;

interface Load {
  stars: string[];
  deletes: string[];
  /** Requests the kill cut off (no answer): not acknowledged, so nothing is owed for them. */
  cut: number;
  stop(): Promise<void>;
}

/** Writers creating stars and deleting files until stopped, keeping what was acknowledged. */
function startWrites(apiUrl: string, userId: string, files: string[]): Load {
  const load: Load = { stars: [], deletes: [], cut: 0, stop: () => Promise.resolve() };
  let running = true;
  let n = 0;
  const once = async () => {
    n += 1;
    const file = n % 4 === 0 ? files.pop() : undefined;
    if (file !== undefined) {
      const { outcome } = await call(
        'file-delete',
        `${apiUrl}/api/files/${file}`,
        { method: 'DELETE' },
        5000,
      );
      if (outcome.status === 204) load.deletes.push(file);
      else if (typeof outcome.status !== 'number') load.cut += 1;
      return;
    }
    const result = await call(
      'write',
      `${apiUrl}/stars`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId, name: `outbox ${n}`, ra: n % 360, dec: 0 }),
      },
      5000,
    );
    if (result.outcome.status === 201 && result.body !== undefined)
      load.stars.push((JSON.parse(result.body) as { id: string }).id);
    else if (typeof result.outcome.status !== 'number') load.cut += 1;
  };
  const loops = Array.from({ length: WRITERS }, async () => {
    while (running) await once();
  });
  load.stop = async () => {
    running = false;
    await Promise.all(loops);
  };
  return load;
}

/** Files uploaded (with Redis up) for the outage's deletes to remove. */
async function uploadFiles(apiUrl: string, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const name = `outbox/${randomUUID()}.txt`;
    const { outcome } = await call('file-write', `${apiUrl}/api/files/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: `outbox ${name}\n`,
    });
    if (outcome.status === 201) names.push(name);
  }
  return names;
}

/** Acknowledged deletes whose `blob.delete` audit record is not in the database. */
async function deletesNotAudited(databaseUrl: string, names: readonly string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ target: string }>(
      `select target from audit_log where operation = 'blob.delete' and outcome = 'success'`,
    );
    const targets = rows.map((row) => row.target);
    return names.filter((name) => !targets.some((target) => target.endsWith(`/${name}`)));
  } finally {
    await client.end();
  }
}

/** Create events per acknowledged star, as the client received them. */
function deliveries(sse: SseClient, stars: readonly string[]) {
  const owed = new Set(stars);
  const delivered = [...sse.created].filter((id) => owed.has(id)).length;
  return { delivered, missing: stars.length - delivered, duplicates: sse.ids.length - new Set(sse.ids).size };
}

async function crashDuringOutage(stack: ChaosStack, { faultMs, log }: ScenarioOptions) {
  const files = await uploadFiles(stack.apiUrl, 40);
  await stack.redis.kill();
  log('redis killed; writing with it down');
  const load = startWrites(stack.apiUrl, stack.userId, files);
  await sleep(Math.min(faultMs, 4000));
  stack.api.child.kill('SIGKILL');
  await load.stop();
  log(
    `api SIGKILLed with writes in flight: ${load.stars.length} stars and ${load.deletes.length} deletes acknowledged`,
  );
  await stack.redis.start();
  const restartedAt = Date.now();
  await stack.startApi();
  const restartMs = Date.now() - restartedAt;
  log(`redis and a new api started (${restartMs} ms)`);
  return { load, restartMs };
}

export const apiKilledInRedisOutage: Scenario = {
  name: 'api-killed-in-redis-outage',
  fault: 'API SIGKILLed during a Redis outage with writes in flight; Redis and a new API started',
  async run(stack, options) {
    const sse = openSseClient(`${stack.apiUrl}/events/stars/stream`, { reconnectMs: 100 });
    // Until the client has seen an event it has no Last-Event-ID to resume from after the kill.
    const warmedUp = await msUntil(
      async () => {
        await call('write', `${stack.apiUrl}/stars`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: stack.userId, name: 'outbox warm-up', ra: 1, dec: 1 }),
        });
        return sse.ids.length > 0;
      },
      30_000,
      200,
    );
    if (warmedUp === undefined) throw new Error('the SSE client saw no event before the fault');
    const idsBefore = sse.ids.length;
    const { load, restartMs } = await crashDuringOutage(stack, options);
    const owed = new Set(load.stars);
    // From the new API's `ready on` line: its relay publishes what the dead one left in the outbox.
    const drainMs = await msUntil(async () => [...owed].every((id) => sse.created.has(id)), 60_000, 10);
    // Anything delivered twice would arrive right after; give it the time to.
    await sleep(1000);
    sse.close();
    const seen = deliveries(sse, load.stars);
    const unaudited = await deletesNotAudited(stack.postgres.url, load.deletes);
    const checks = [
      check(
        'writes were acknowledged while Redis was down, and some were cut off by the kill',
        load.stars.length > 0 && load.deletes.length > 0,
        `${load.stars.length} stars, ${load.deletes.length} deletes acknowledged; ${load.cut} cut off`,
      ),
      check(
        'every acknowledged star’s event reached the connected SSE client',
        seen.missing === 0,
        `${seen.delivered} of ${load.stars.length} delivered, ${seen.missing} missing`,
      ),
      check('no event reached it twice', seen.duplicates === 0, `${seen.duplicates} duplicates`),
      check(
        'the client resumed with Last-Event-ID after the kill',
        sse.resumed >= 1,
        `${sse.resumed} resumes`,
      ),
      check(
        'every acknowledged delete has its audit record',
        unaudited.length === 0,
        `${load.deletes.length - unaudited.length} of ${load.deletes.length} audited`,
      ),
      check(
        'the new API delivered what the dead one left within 2 s of being ready',
        (drainMs ?? Infinity) <= 2000,
        `${drainMs ?? 'never'} ms`,
        true,
      ),
    ];
    return {
      name: this.name,
      fault: this.fault,
      figures: {
        starsAcknowledged: load.stars.length,
        deletesAcknowledged: load.deletes.length,
        requestsCutByKill: load.cut,
        eventsDelivered: seen.delivered,
        eventsBeforeFault: idsBefore,
        duplicatesDelivered: seen.duplicates,
        eventsMissing: seen.missing,
        auditRecordsMissing: unaudited.length,
        deliveredAfterReadyMs: drainMs ?? -1,
        redisAndApiRestartMs: restartMs,
        lostWrites: seen.missing + unaudited.length,
      },
      checks,
    };
  },
};
