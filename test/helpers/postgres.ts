// A throwaway PostgreSQL database per test file, so suites never see each other's tables.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { services } from './services.js';

export interface TestPostgres {
  url: string;
  drop(): Promise<void>;
}

export async function createTestPostgres(label: string): Promise<TestPostgres> {
  const name = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: services.postgres.url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(services.postgres.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: services.postgres.url });
      await client.connect();
      try {
        // A pool's end() resolves before its sockets have closed; forcing the drop then makes the
        // server terminate those closing connections, and pg reports that as an unhandled error.
        // So let them leave first; only a connection still there after 5 s is forced out.
        for (let waited = 0; waited < 5000; waited += 50) {
          const { rows } = await client.query<{ n: number }>(
            'select count(*)::int as n from pg_stat_activity where datname = $1',
            [name],
          );
          if (rows[0]?.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
