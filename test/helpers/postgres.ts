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
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
