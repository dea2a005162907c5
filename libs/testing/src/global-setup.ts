import { Client } from 'pg';
import { migrate } from '../../postgres/src/migrate';
import { randomBytes } from 'node:crypto';
import { adminUrl, databaseUrl } from './test-database';

/**
 * Runs once before the integration tests: (re)creates the template database and migrates it.
 * Each test file then clones its own database from it (createTestDatabase), which is fast and
 * keeps files independent of each other and of their order.
 */
export default async function globalSetup(): Promise<void> {
  const TEMPLATE_DATABASE = `consultation_test_tpl_${randomBytes(4).toString('hex')}`;
  process.env.TEST_TEMPLATE_DATABASE = TEMPLATE_DATABASE;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  await migrate(databaseUrl(TEMPLATE_DATABASE));
}
