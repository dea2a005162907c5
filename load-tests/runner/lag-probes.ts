import { Pool } from 'pg';
import { AckTracker, Lag, partitionKey } from './ack-tracker';

/**
 * Projection lag, measured from outside the projector against the positions the ingest
 * acknowledged (ack-tracker.ts):
 * - `postgres`: the checkpoint the projector commits with the read-model rows
 *   (readmodel.projection_offsets, DESIGN.md invariant 2): exactly what is applied;
 * - `query-api`: the `asOf.positions` of the stats answer, what readers are shown: next offsets
 *   per logical topic name (apps/query-api/src/infrastructure/as-of.ts), matched here to the
 *   acknowledged physical topics (`<TOPIC_PREFIX><name>`).
 * TODO(projector /metrics): add a probe on the projector's consumer-lag gauge once apps/projector
 * exposes it; it would show the lag of partitions this run did not write to.
 */
export interface LagProbe {
  readonly source: string;
  sample(tracker: AckTracker, nowMs: number): Promise<Lag | undefined>;
  close(): Promise<void>;
}

export const postgresCheckpointProbe = (databaseUrl: string, projection = 'postgres', schema = 'readmodel'): LagProbe => {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  return {
    source: 'postgres',
    sample: async (tracker, nowMs) => {
      const topics = tracker.topics();
      if (topics.length === 0) return undefined;
      const { rows } = await pool.query<{ topic: string; partition: number; next_offset: string }>(
        `SELECT topic, partition, next_offset::text AS next_offset FROM ${schema}.projection_offsets WHERE projection = $1 AND topic = ANY($2)`,
        [projection, topics],
      );
      return tracker.lagBehind(new Map(rows.map((row) => [partitionKey(row.topic, row.partition), BigInt(row.next_offset)])), nowMs);
    },
    close: () => pool.end(),
  };
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const queryAsOfProbe = (queryUrl: string, slug: string): LagProbe => ({
  source: 'query-api',
  sample: async (tracker, nowMs) => {
    if (tracker.topics().length === 0) return undefined;
    const response = await fetch(`${queryUrl}/v1/consultations/${encodeURIComponent(slug)}/stats`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return undefined;
    const body: unknown = await response.json();
    const positions = isRecord(body) && isRecord(body.asOf) && isRecord(body.asOf.positions) ? body.asOf.positions : undefined;
    if (positions === undefined) return undefined;
    const next = new Map<string, bigint>();
    for (const physical of tracker.topics()) {
      const partitions = Object.entries(positions).find(([logical]) => physical.endsWith(logical))?.[1];
      if (!isRecord(partitions)) continue;
      for (const [partition, offset] of Object.entries(partitions)) {
        if ((typeof offset === 'string' && /^\d+$/.test(offset)) || typeof offset === 'number') next.set(partitionKey(physical, Number(partition)), BigInt(offset));
      }
    }
    return tracker.lagBehind(next, nowMs);
  },
  close: async () => undefined,
});
