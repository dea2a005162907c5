import { randomBytes } from 'node:crypto';
import { testEnv } from '@app/testing';
import Redis from 'ioredis';
import { PostgresProjection } from './postgres-projection';
import { PositionedEvent } from './projection-batch';
import { recount } from './recount';
import { RedisProjection } from './redis-projection';
import { randomBatches, randomScenario } from './testing/event-scenario';
import {
  OwnDatabase,
  batchOf,
  createOwnDatabase,
  deleteRedisKeys,
  negativePostgresCounts,
  postgresSnapshot,
  redisSnapshot,
} from './testing/projection-test-kit';

const SEEDS = [11, 29];

describe('Postgres and Redis projections against a recount of the log', () => {
  let db: OwnDatabase;
  let redis: Redis;
  const prefix = `t-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createOwnDatabase();
    redis = new Redis(testEnv.redisUrl());
  });

  afterAll(async () => {
    for (const seed of SEEDS) await deleteRedisKeys(redis, `${prefix}-${seed}`);
    redis.disconnect();
    await db.drop();
  });

  it.each(SEEDS)(
    'equal the recount per proposal, value, qualification and tier after every batch is delivered twice and overlapping (seed %i)',
    async (seed) => {
      const schema = 'readmodel';
      const projection = `pg-${seed}`;
      const keys = `${prefix}-${seed}`;
      const postgres = new PostgresProjection({ pool: db.pool, schema, projection });
      const redisProjection = new RedisProjection({ redis, prefix: keys });
      await db.pool.query(`TRUNCATE ${schema}.tallies, ${schema}.consultation_counters, ${schema}.consultation_participants,
        ${schema}.current_votes, ${schema}.proposals, ${schema}.participants, ${schema}.consultations`);
      const log = randomScenario(seed, { participants: 25, proposals: 8, voteEvents: 1200, prolificSubmissions: 104 });

      let previous: PositionedEvent[] = [];
      for (const batch of randomBatches(log.records, seed, 80)) {
        await postgres.apply(batchOf(batch));
        await redisProjection.apply(batchOf(batch));
        const once = { pg: await postgresSnapshot(db.pool, schema), redis: await redisSnapshot(redis, keys) };

        expect(await postgres.apply(batchOf(batch))).toEqual({ applied: 0, skipped: batch.length });
        expect(await redisProjection.apply(batchOf(batch))).toEqual({ applied: 0, skipped: batch.length });
        const overlapping = [...previous.slice(-Math.ceil(previous.length / 2)), ...batch];
        await postgres.apply(batchOf(overlapping));
        await redisProjection.apply(batchOf(overlapping));

        expect(await postgresSnapshot(db.pool, schema)).toEqual(once.pg);
        expect(await redisSnapshot(redis, keys)).toEqual(once.redis);
        previous = batch;
      }

      const expected = recount(log.records);
      expect(Object.keys(expected.tallies).length).toBeGreaterThan(5);
      expect(Object.values(expected.proposals).some((p) => !p.withinQuota)).toBe(true);
      expect(await postgresSnapshot(db.pool, schema)).toEqual({ tallies: expected.tallies, counters: expected.counters });
      expect(await redisSnapshot(redis, keys)).toEqual({ tallies: expected.tallies, counters: expected.counters });
      expect(await negativePostgresCounts(db.pool, schema)).toBe(0);

      const rows = await db.pool.query<{ id: string; status: string; within_quota: boolean }>(
        `SELECT proposal_id::text AS id, status, within_quota FROM ${schema}.proposals`,
      );
      const stored = Object.fromEntries(rows.rows.map((r) => [r.id, { status: r.status, withinQuota: r.within_quota }]));
      const recounted = Object.fromEntries(
        Object.entries(expected.proposals).map(([id, p]) => [id, { status: p.status, withinQuota: p.withinQuota }]),
      );
      expect(stored).toEqual(recounted);

      const offsets = await postgres.nextOffsets([...new Set(log.records.map((r) => r.topic))]);
      expect(Object.fromEntries([...offsets].map(([k, v]) => [k, v.toString()]))).toEqual(expected.positions);
      const redisOffsets = await redisProjection.nextOffsets([...new Set(log.records.map((r) => r.topic))]);
      expect(Object.fromEntries([...redisOffsets].map(([k, v]) => [k, v.toString()]))).toEqual(expected.positions);
    },
    // ~1,500 events applied twice through both stores: minutes, not seconds, on a loaded 2-core machine.
    180_000,
  );
});
