import { randomBytes } from 'node:crypto';
import { TOPIC_NAMES, physicalTopic } from '@app/events';
import { TestDatabase, createTestDatabase, eventually, testEnv, uniquePrefix, tolerateTermination } from '@app/testing';
import Redis from 'ioredis';
import { Kafka, Producer, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { PostgresProjection } from '../src/projection/postgres-projection';
import { ProjectorRunner } from '../src/projection/projector-runner';
import { recount } from '../src/projection/recount';
import { RedisProjection } from '../src/projection/redis-projection';
import { randomScenario } from '../src/projection/testing/event-scenario';
import { createTestTopics, postgresSnapshot, produceRecords, redisSnapshot } from '../src/projection/testing/projection-test-kit';
import { ReadModelRebuild } from '../src/rebuild/read-model-rebuild';
import { activePrefix, generationKeys, pointerKeyOf } from '../src/rebuild/redis-generation';
import { dumpRedis, dumpSchema, highWatermarks, pgOffsets, readTopics, redisOffsetsOf } from './support';

/**
 * DESIGN.md invariant 4 with disqualifications (docs/abuse.md): the live projector applies the log
 * batch by batch as it arrives; a rebuild replays it from offset 0 in other batches. Both must give
 * the same standing, the same excluded votes and the same counts, row by row and key by key, equal
 * to the recount with the disqualifications applied.
 */
describe('rebuild with disqualified and requalified participants', () => {
  const topicPrefix = uniquePrefix('dq-rebuild');
  const redisPrefix = `t-dq-rebuild-${randomBytes(4).toString('hex')}`;
  const topics = TOPIC_NAMES.map((name) => physicalTopic(topicPrefix, name));
  const kafka = new Kafka({ clientId: 'dq-rebuild-test', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
  const groupId = `projector-${randomBytes(4).toString('hex')}`;
  let deleteTopics: () => Promise<void>;
  let producer: Producer;
  let db: TestDatabase;
  let pool: Pool;
  let redis: Redis;
  let live: ProjectorRunner;

  beforeAll(async () => {
    deleteTopics = await createTestTopics(kafka, topicPrefix);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    db = await createTestDatabase('dq_rebuild');
    pool = new Pool({ connectionString: db.url, max: 8 });
    tolerateTermination(pool);
    // A logical database of its own: snapshots SCAN the keyspace, and database 0 may hold a load
    // test's million keys. The key prefix still isolates this file from any other user of it.
    redis = new Redis(testEnv.redisUrl(), { db: 11 });
    live = new ProjectorRunner({
      kafka,
      groupId,
      topicPrefix,
      projections: [new PostgresProjection({ pool }), new RedisProjection({ redis, prefix: redisPrefix })],
      sessionTimeoutMs: 10_000,
    });
    await live.start();
  }, 120_000);

  afterAll(async () => {
    const cleanups: (() => Promise<unknown>)[] = [
      async () => live?.stop(),
      async () => producer?.disconnect(),
      async () => deleteTopics?.(),
      async () => {
        const admin = kafka.admin();
        await admin.connect();
        await admin.deleteGroups([groupId]).catch(() => undefined);
        await admin.disconnect();
      },
      async () => {
        const generations = new Set([redisPrefix, await activePrefix(redis, redisPrefix)]);
        await redis.del(pointerKeyOf(redisPrefix));
        for (const prefix of generations) for await (const keys of generationKeys(redis, prefix)) await redis.unlink(...keys);
      },
      async () => redis?.disconnect(),
      async () => pool?.end(),
      async () => db?.drop(),
    ];
    for (const cleanup of cleanups) await cleanup().catch((error: Error) => process.stderr.write(`cleanup: ${error.message}\n`));
  });

  it('rebuilds the same standing, tallies and counters as the live projector, equal to the recount', async () => {
    const log = randomScenario(7301, { participants: 40, proposals: 10, voteEvents: 1500, standingChangeRate: 0.03 }, topicPrefix);
    expect(log.records.filter((r) => r.event.type === 'ParticipantDisqualified').length).toBeGreaterThan(10);
    // In slices, so the live projector sees the standing changes in other batches than the replay.
    for (let i = 0; i < log.records.length; i += 300) await produceRecords(producer, log.records.slice(i, i + 300));
    await eventually(
      async () => {
        const ends = await highWatermarks(kafka, topics);
        expect(await pgOffsets(pool)).toEqual(ends);
        expect(await redisOffsetsOf(redis, redisPrefix)).toEqual(ends);
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    const expected = recount(await readTopics(kafka, topics));
    const want = { tallies: expected.tallies, counters: expected.counters };
    expect(await postgresSnapshot(pool)).toEqual(want);
    expect(await redisSnapshot(redis, redisPrefix)).toEqual(want);
    const disqualified = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM readmodel.participant_standing WHERE disqualified`);
    expect(disqualified.rows[0].n).toBeGreaterThan(0);
    const liveTables = await dumpSchema(pool, 'readmodel');
    const liveKeys = await dumpRedis(redis, redisPrefix);

    const result = await new ReadModelRebuild({ kafka, pool, redis, topicPrefix, redisPrefix, keepOld: true, tailLag: 0, progressIntervalMs: 1000 }).run();

    const rebuilt = await dumpSchema(pool, 'readmodel');
    for (const table of ['participant_standing', 'current_votes', 'tallies', 'consultation_counters', 'consultation_participants']) {
      expect({ table, rows: rebuilt[table] }).toEqual({ table, rows: liveTables[table] });
    }
    expect(rebuilt).toEqual(liveTables);
    // A count that went up and down in two live batches stays as a "0" field; one replay batch never writes it.
    expect(withoutZeros(await dumpRedis(redis, result.redisPrefix))).toEqual(withoutZeros(liveKeys));
    expect(await postgresSnapshot(pool)).toEqual(want);
    expect(await redisSnapshot(redis, result.redisPrefix)).toEqual(want);
    const excluded = await pool.query<{ n: number }>(`SELECT coalesce(sum(excluded_current_votes), 0)::int AS n FROM analytics.excluded_votes`);
    expect(excluded.rows[0].n).toBeGreaterThan(0);
  }, 240_000);
});

const withoutZeros = (dump: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(dump).map(([key, value]) =>
      key.includes(':t:') || key.includes(':c:')
        ? [key, Object.fromEntries(Object.entries(value as Record<string, string>).filter(([, n]) => n !== '0'))]
        : [key, value],
    ),
  );
