/**
 * Throughput of one batch of 10,000 votes through each projection, next to the bare limits of the
 * same machine (one unnest INSERT of 10,000 rows; one pipelined round of 10,000 HSETs).
 * Run: node -r @swc-node/register apps/projector/src/projection/projection-throughput.bench.ts
 * (needs Postgres and Redis; uses its own database and key prefix, removed afterwards).
 */
import { randomBytes } from 'node:crypto';
import { QUALIFICATIONS_BY_VALUE, TIERS, VOTE_VALUES } from '@app/events';
import Redis from 'ioredis';
import { PostgresProjection } from './postgres-projection';
import { RedisProjection } from './redis-projection';
import { EventLog, idFrom, seededRandom } from './testing/event-scenario';
import { batchOf, createOwnDatabase, deleteRedisKeys } from './testing/projection-test-kit';

const VOTES = 10_000;

const voteBatch = (log: EventLog, round: number, random: () => number): ReturnType<typeof batchOf> => {
  const start = log.records.length;
  for (let i = 0; i < VOTES; i++) {
    const value = VOTE_VALUES[(i + round) % 3];
    const qualifications = QUALIFICATIONS_BY_VALUE[value].filter(() => random() < 0.3);
    // 10,000 voters on 500 proposals: round 0 casts, later rounds change every vote.
    log.cast(idFrom('voter', i), idFrom('proposal', i % 500), 'cgt', TIERS[i % 3], value, qualifications);
  }
  return batchOf(log.records.slice(start));
};

const time = async (work: () => Promise<unknown>): Promise<number> => {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
};

const main = async (): Promise<void> => {
  const db = await createOwnDatabase();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  try {
    const postgres = new PostgresProjection({ pool: db.pool });
    const redisProjection = new RedisProjection({ redis, prefix });
    const log = new EventLog();
    const random = seededRandom(1);
    const line = (label: string, ms: number): void =>
      console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round((VOTES / ms) * 1000).toString().padStart(8)} events/s`);

    for (let round = 0; round < 4; round++) {
      const batch = voteBatch(log, round, random);
      const kind = round === 0 ? 'new votes' : 'changed votes';
      line(`round ${round} PostgresProjection (${kind})`, await time(() => postgres.apply(batch)));
      line(`round ${round} RedisProjection (${kind})`, await time(() => redisProjection.apply(batch)));
      line(`round ${round} redelivery, Postgres`, await time(() => postgres.apply(batch)));
      line(`round ${round} redelivery, Redis`, await time(() => redisProjection.apply(batch)));
    }

    await db.pool.query('CREATE UNLOGGED TABLE bare (a uuid, b uuid, v text, q text[])');
    const ids = Array.from({ length: VOTES }, (_, i) => idFrom('bare', i));
    line('bare Postgres: one unnest INSERT of 10,000 rows', await time(() =>
      db.pool.query("INSERT INTO bare SELECT a, b, v, '{}' FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u (a, b, v)", [ids, ids, ids.map(() => 'agree')]),
    ));
    line('bare Redis: 10,000 pipelined HSET', await time(() => {
      const pipeline = redis.pipeline();
      ids.forEach((id) => pipeline.hset(`${prefix}:bare`, id, 'agree'));
      return pipeline.exec();
    }));
  } finally {
    await deleteRedisKeys(redis, prefix);
    redis.disconnect();
    await db.drop();
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
