import { randomBytes } from 'node:crypto';
import { physicalTopic } from '@app/events';
import { eventually, testEnv } from '@app/testing';
import Redis from 'ioredis';
import { Kafka, KafkaMessage, Producer, logLevel } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from './dead-letter';
import { PostgresProjection } from './postgres-projection';
import { ProjectorRunner } from './projector-runner';
import { recount } from './recount';
import { RedisProjection } from './redis-projection';
import { randomScenario } from './testing/event-scenario';
import {
  OwnDatabase,
  createOwnDatabase,
  createTestTopics,
  deleteRedisKeys,
  postgresSnapshot,
  produceRecords,
  redisSnapshot,
} from './testing/projection-test-kit';

describe('ProjectorRunner on a real broker', () => {
  const prefix = `t-${randomBytes(4).toString('hex')}-`;
  const keys = `t-${randomBytes(4).toString('hex')}`;
  const kafka = new Kafka({ clientId: 'projector-test', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
  let deleteTopics: () => Promise<void>;
  let producer: Producer;
  let db: OwnDatabase;
  let redis: Redis;
  const runners: ProjectorRunner[] = [];

  const runner = async (groupId: string): Promise<ProjectorRunner> => {
    const started = new ProjectorRunner({
      kafka,
      groupId,
      topicPrefix: prefix,
      projections: [new PostgresProjection({ pool: db.pool }), new RedisProjection({ redis, prefix: keys })],
      sessionTimeoutMs: 10_000,
    });
    runners.push(started);
    await started.start();
    return started;
  };

  const expectTalliesToEqual = async (expected: ReturnType<typeof recount>): Promise<void> =>
    eventually(
      async () => {
        const want = { tallies: expected.tallies, counters: expected.counters };
        expect(await postgresSnapshot(db.pool)).toEqual(want);
        expect(await redisSnapshot(redis, keys)).toEqual(want);
      },
      { timeoutMs: 45_000, intervalMs: 250 },
    );

  beforeAll(async () => {
    deleteTopics = await createTestTopics(kafka, prefix);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    db = await createOwnDatabase();
    redis = new Redis(testEnv.redisUrl());
  });

  afterAll(async () => {
    for (const r of runners) await r.stop().catch(() => undefined);
    await producer.disconnect();
    await deleteTopics();
    await deleteRedisKeys(redis, keys);
    redis.disconnect();
    await db.drop();
  });

  it('projects the topics into Postgres and Redis until both equal the recount, dead-lettering a malformed record and going on', async () => {
    const log = randomScenario(7, { participants: 20, proposals: 6, voteEvents: 600 }, prefix);
    const half = Math.floor(log.records.length / 2);
    await produceRecords(producer, log.records.slice(0, half));
    const votes = physicalTopic(prefix, 'votes');
    await producer.send({ topic: votes, acks: -1, messages: [{ key: 'broken', value: '{oops', partition: 3 }] });
    // Later events of that partition sit one offset further than the scenario numbered them.
    await produceRecords(producer, log.records.slice(half));

    const first = await runner(`g-${randomBytes(4).toString('hex')}`);
    await expectTalliesToEqual(recount(log.records));

    const letters = await readAll(kafka, physicalTopic(prefix, 'dead-letters'), 1);
    expect(letters).toHaveLength(1);
    expect(letters[0].value?.toString()).toBe('{oops');
    expect(letters[0].headers?.[DEAD_LETTER_HEADERS.reason]?.toString()).toMatch(/not JSON/);
    expect(letters[0].headers?.[DEAD_LETTER_HEADERS.topic]?.toString()).toBe(votes);
    expect(letters[0].headers?.[DEAD_LETTER_HEADERS.partition]?.toString()).toBe('3');
    const stats = first.stats();
    expect(stats.deadLetters).toBe(1);
    expect(stats.eventsApplied.postgres).toBe(log.records.length);
    expect(stats.eventsApplied.redis).toBe(log.records.length);
    await eventually(() => expect(Object.values(first.stats().lag).every((lag) => lag === 0)).toBe(true));

    await first.stop();
  });

  it('resumes from the stored offsets after a stop, even when Kafka’s committed offsets say otherwise, without counting anything twice', async () => {
    const before = randomScenario(7, { participants: 20, proposals: 6, voteEvents: 600 }, prefix);
    const more = randomScenario(8, { participants: 15, proposals: 5, voteEvents: 400 }, prefix);
    await produceRecords(producer, more.records);
    const all = recount([...before.records, ...more.records.map((r) => ({ ...r, topic: `${r.topic}#second-run` }))]);

    // A group that never committed anything (kafkajs would start from the beginning) …
    const fresh = await runner(`g-${randomBytes(4).toString('hex')}`);
    await expectTalliesToEqual(all);
    expect(fresh.stats().eventsApplied).toEqual({ postgres: more.records.length, redis: more.records.length });
    expect(fresh.stats().eventsSkipped).toEqual({ postgres: 0, redis: 0 });
    await fresh.stop();

    // … and a group whose committed offsets are past the checkpoint of the Redis projection,
    // whose keys were lost: it must go back to Redis' checkpoint (0) and rebuild Redis alone.
    await deleteRedisKeys(redis, keys);
    const groupId = `g-${randomBytes(4).toString('hex')}`;
    const admin = kafka.admin();
    await admin.connect();
    for (const topic of ['consultations', 'participants', 'proposals', 'votes'] as const) {
      const name = physicalTopic(prefix, topic);
      const ends = await admin.fetchTopicOffsets(name);
      await admin.setOffsets({ groupId, topic: name, partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })) });
    }
    await admin.disconnect();
    const rebuilt = await runner(groupId);
    await expectTalliesToEqual(all);
    const total = before.records.length + more.records.length;
    expect(rebuilt.stats().eventsApplied).toEqual({ postgres: 0, redis: total });
    expect(rebuilt.stats().eventsSkipped).toEqual({ postgres: total, redis: 0 });
    await rebuilt.stop();
  });
});

const readAll = async (kafka: Kafka, topic: string, expected: number): Promise<KafkaMessage[]> => {
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(4).toString('hex')}` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  try {
    await eventually(() => expect(messages.length).toBeGreaterThanOrEqual(expected), { timeoutMs: 30_000 });
    return messages;
  } finally {
    await consumer.disconnect();
  }
};
