// The StarsStore contract on Azure Table Storage, served by an in-process Azurite; each test
// gets fresh tables under a prefix of its own.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTableClientFactory,
  type TableClientFactory,
} from '../../../src/modules/stars/tables-client-factory.js';
import { TablesStarsStore } from '../../../src/modules/stars/tables-stars-store.js';
import { devAccount, startAzurite, type Azurite } from '../../helpers/azurite.js';
import { describeStarsStoreContract } from './stars-store-contract.js';

let azurite: Azurite;
let tables: TableClientFactory;
const prefix = () => `t${randomBytes(5).toString('hex')}`;

beforeAll(async () => {
  azurite = await startAzurite({ blob: false, table: true });
  tables = createTableClientFactory({
    credential: { kind: 'connection-string', connectionString: azurite.connectionString },
  });
});

afterAll(async () => {
  await azurite.close();
});

describeStarsStoreContract('tables', (clock) =>
  Promise.resolve(new TablesStarsStore({ tables: (name) => tables(name), tablePrefix: prefix(), clock })),
);

describe('TablesStarsStore', () => {
  it('when authenticated with an account name and key, then it works like with a connection string', async () => {
    const store = new TablesStarsStore({
      tables: createTableClientFactory({
        tableUrl: azurite.tableEndpoint,
        credential: { kind: 'account-key', accountName: devAccount.name, accountKey: devAccount.key },
      }),
      tablePrefix: prefix(),
    });
    const user = await store.createUser({ name: 'Key' });
    expect(await store.getUser(user.id)).toEqual(user);
  });

  it('when a counter drifted from its like records, then recompute repairs it', async () => {
    const tablePrefix = prefix();
    const store = new TablesStarsStore({ tables, tablePrefix });
    const owner = await store.createUser({ name: 'Owner' });
    const fan = await store.createUser({ name: 'Fan' });
    const target = await store.createStar({ userId: owner.id, name: 'Vega', ra: 1, dec: 2 });
    await store.like(target.id, fan.id);
    await tables(`${tablePrefix}stars`).updateEntity(
      { partitionKey: target.id, rowKey: 'star', likes: 9 },
      'Merge',
    );
    expect((await store.getStar(target.id))?.likes).toBe(9);
    expect(await store.recomputeLikes()).toEqual({ starsChecked: 1, corrected: 1 });
    expect((await store.getStar(target.id))?.likes).toBe(1);
  });

  it('when ETag retries run out, then the like is undone with a 503 and every count still agrees', async () => {
    const store = new TablesStarsStore({
      tables,
      tablePrefix: prefix(),
      etagRetry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const owner = await store.createUser({ name: 'Owner' });
    const target = await store.createStar({ userId: owner.id, name: 'Vega', ra: 1, dec: 2 });
    const fans = await Promise.all(Array.from({ length: 30 }, (_, i) => store.createUser({ name: `F${i}` })));
    const outcomes = await Promise.allSettled(fans.map((fan) => store.like(target.id, fan.id)));
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    const counted = outcomes.length - refused.length;
    // One try each against 30 writers of one entity: some must lose the ETag race.
    expect(refused.length).toBeGreaterThan(0);
    for (const outcome of refused) expect(outcome.reason).toMatchObject({ status: 503 });
    expect((await store.getStar(target.id))?.likes).toBe(counted);
    const stats = await store.stats();
    expect(stats.likes).toBe(counted);
    const rows = (suffix: string) => stats.tables.find((table) => table.name.endsWith(suffix))?.rows;
    expect(rows('userindex')).toBe(counted + 1); // the owner's star and one entry per counted like
    expect(rows('likewindow')).toBe(counted);
    expect((await store.listPopularStars({ windowSeconds: 60 })).items[0]?.windowLikes).toBe(counted);
    expect(await store.recomputeLikes()).toEqual({ starsChecked: 1, corrected: 0 });
  });

  it('when the table prefix is not letters and digits, then the store refuses it', () => {
    expect(() => new TablesStarsStore({ tables, tablePrefix: 'no-dashes' })).toThrow(/tablePrefix/);
  });
});
