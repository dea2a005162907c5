import { Pool } from 'pg';
import { partitionKey } from '../runner/ack-tracker';
import { LagProbe } from '../runner/lag-probes';

/**
 * The runner's `postgres` lag probe (readmodel.projection_offsets against the acknowledged
 * positions), with its pool surviving a Postgres restart: an idle client of a pool without an
 * 'error' listener crashes the process when the server goes away, which is what a chaos case does.
 */
export const resilientCheckpointProbe = (databaseUrl: string): LagProbe => {
  const pool = new Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 2000 });
  pool.on('error', () => undefined);
  return {
    source: 'postgres',
    sample: async (tracker, nowMs) => {
      const topics = tracker.topics();
      if (topics.length === 0) return undefined;
      const { rows } = await pool.query<{ topic: string; partition: number; next_offset: string }>(
        `SELECT topic, partition, next_offset::text AS next_offset FROM readmodel.projection_offsets WHERE projection = 'postgres' AND topic = ANY($1)`,
        [topics],
      );
      return tracker.lagBehind(new Map(rows.map((row) => [partitionKey(row.topic, row.partition), BigInt(row.next_offset)])), nowMs);
    },
    close: () => pool.end(),
  };
};
