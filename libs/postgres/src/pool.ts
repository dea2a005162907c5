import { Pool } from 'pg';
import { ReadinessCheck } from '@app/observability';

export const createPool = (connectionString: string, max: number, application: string): Pool =>
  new Pool({ connectionString, max, application_name: application, connectionTimeoutMillis: 3000, idleTimeoutMillis: 30_000 });

export const postgresReadiness = (pool: Pool): ReadinessCheck => ({
  name: 'postgres',
  check: async () => {
    await pool.query('SELECT 1');
  },
});
