import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Per-test-file Postgres databases cloned from a migrated template. The admin connection
 * (TEST_PG_ADMIN_URL, default the local superuser with trust auth) creates and drops them.
 */
/** Set by the global setup for its run; unique per run so that concurrent runs never collide. */
export const templateDatabase = (): string => process.env.TEST_TEMPLATE_DATABASE ?? 'consultation_test_template';

export const adminUrl = (): string => process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const databaseUrl = (database: string): string => {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
};

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

const withAdmin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

export const createTestDatabase = async (label = 'test'): Promise<TestDatabase> => {
  const name = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
};
