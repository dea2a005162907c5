import { Pool } from 'pg';
import { ReadinessCheck } from '@app/observability';

export const createPool = (connectionString: string, max: number, application: string): Pool => {
  const pool = new Pool({ connectionString, max, application_name: application, connectionTimeoutMillis: 3000, idleTimeoutMillis: 30_000 });
  // When the server restarts or kills a backend, idle and checked-out clients emit 'error'; with
  // no listener Node throws it and the whole app dies (npm run chaos, postgres-restart). The query
  // in flight rejects anyway (its caller retries or answers 503), the pool replaces the client,
  // and /health/ready reports Postgres down meanwhile.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
};

export const postgresReadiness = (pool: Pool): ReadinessCheck => ({
  name: 'postgres',
  check: async () => {
    await pool.query('SELECT 1');
  },
});
