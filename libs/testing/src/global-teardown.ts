import { Client } from 'pg';
import { adminUrl } from './test-database';

/** Drops this run's template database (see global-setup.ts). */
export default async function globalTeardown(): Promise<void> {
  const name = process.env.TEST_TEMPLATE_DATABASE;
  if (!name) return;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
