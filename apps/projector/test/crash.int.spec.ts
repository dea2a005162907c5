import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { TOPIC_NAMES, physicalTopic } from '@app/events';
import { createTestDatabase, eventually, testEnv, uniquePrefix, TestDatabase, tolerateTermination } from '@app/testing';
import Redis from 'ioredis';
import { Kafka, Producer, logLevel } from 'kafkajs';
import { Client, Pool } from 'pg';
import { PositionedEvent } from '../src/projection/projection-batch';
import { recount } from '../src/projection/recount';
import { randomScenario } from '../src/projection/testing/event-scenario';
import {
  createTestTopics,
  deleteRedisKeys,
  negativePostgresCounts,
  postgresSnapshot,
  produceRecords,
  redisSnapshot,
} from '../src/projection/testing/projection-test-kit';
import { NodeProcess, REPO, ensureBuilt, freePort, highWatermarks, pgOffsets, readTopics, recordsBelow, redisOffsetsOf, sleep, spawnNode } from './support';

/**
 * DESIGN.md invariant 2 at the process level: the real projector (dist/apps/projector/src/main.js)
 * is killed with SIGKILL while a batch transaction is open, restarted, killed again during its
 * catch-up, restarted; Postgres and Redis must then equal a recount made from the topics, per
 * proposal, value, qualification and tier, and after each kill each store must equal the recount
 * of exactly what its own checkpoint says it applied (a batch is all or nothing).
 */
describe('projector process killed with SIGKILL in the middle of batches', () => {
  const topicPrefix = uniquePrefix('crash');
  const redisPrefix = `t-crash-${randomBytes(4).toString('hex')}`;
  const groupId = `projector-crash-${randomBytes(4).toString('hex')}`;
  const topics = TOPIC_NAMES.map((name) => physicalTopic(topicPrefix, name));
  const kafka = new Kafka({ clientId: 'crash-test', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
  let deleteTopics: () => Promise<void>;
  let producer: Producer;
  let db: TestDatabase;
  let pool: Pool;
  let monitor: Client;
  let redis: Redis;
  let port: number;
  const processes: NodeProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    deleteTopics = await createTestTopics(kafka, topicPrefix);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    db = await createTestDatabase('crash');
    pool = new Pool({ connectionString: db.url, max: 4, application_name: 'crash-test' });
    tolerateTermination(pool);
    monitor = new Client({ connectionString: db.url, application_name: 'crash-test-monitor' });
    await monitor.connect();
    redis = new Redis(testEnv.redisUrl());
    port = await freePort();
  }, 120_000);

  afterAll(async () => {
    const cleanups: (() => Promise<unknown>)[] = [
      async () => {
        for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      },
      async () => producer?.disconnect(),
      async () => deleteTopics?.(),
      async () => {
        const admin = kafka.admin();
        await admin.connect();
        await admin.deleteGroups([groupId]).catch(() => undefined);
        await admin.disconnect();
      },
      async () => redis && deleteRedisKeys(redis, redisPrefix),
      async () => redis?.disconnect(),
      async () => monitor?.end(),
      async () => pool?.end(),
      async () => db?.drop(),
    ];
    for (const cleanup of cleanups) await cleanup().catch((error: Error) => process.stderr.write(`cleanup: ${error.message}\n`));
  }, 60_000);

  /** The real app, as `npm start` runs it, with this test's topics, database and keys. */
  const startProjector = (): NodeProcess => {
    const started = spawnNode(join(REPO, 'dist/apps/projector/src/main.js'), [], {
      HOST: '127.0.0.1',
      PORT: String(port),
      KAFKA_BROKERS: testEnv.kafkaBrokers().join(','),
      TOPIC_PREFIX: topicPrefix,
      DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_PROJECTION_PREFIX: redisPrefix,
      PROJECTOR_GROUP_ID: groupId,
      PG_POOL_SIZE: '4',
      LOG_LEVEL: 'warn',
    });
    processes.push(started);
    return started;
  };

  /**
   * Polls as fast as it can and kills the process (SIGKILL) at the first moment when one of its
   * connections has a transaction open (a batch being applied) while the checkpoint is past
   * `above` and short of everything produced.
   */
  const killInTheMiddleOfABatch = async (
    projector: NodeProcess,
    above: number,
    produced: () => number,
  ): Promise<{ appliedBefore: number; produced: number; openTransactions: number }> => {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (projector.child.exitCode !== null) throw new Error(`the projector exited by itself:\n${projector.output()}`);
      const { rows } = await monitor.query<{ applied: string; busy: number }>(
        `SELECT (SELECT coalesce(sum(next_offset), 0) FROM readmodel.projection_offsets WHERE projection = 'postgres')::text AS applied,
                (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'projector'
                   AND xact_start IS NOT NULL AND state <> 'idle') AS busy`,
      );
      const applied = Number(rows[0].applied);
      const total = produced();
      if (rows[0].busy > 0 && applied > above && applied < total) {
        projector.child.kill('SIGKILL');
        const exit = await projector.exited;
        expect(exit.signal).toBe('SIGKILL');
        return { appliedBefore: applied, produced: total, openTransactions: rows[0].busy };
      }
    }
    throw new Error(`never saw the projector in the middle of a batch:\n${projector.output()}`);
  };

  /** Each store holds exactly the recount of the records below its own checkpoint. */
  const expectEachStoreAtItsCheckpoint = async (records: readonly PositionedEvent[]): Promise<{ postgres: number; redis: number }> => {
    await eventually(async () => {
      const { rows } = await monitor.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'projector'`,
      );
      expect(rows[0].n).toBe(0); // the killed connections are gone, their transactions rolled back
    });
    const pgAt = await pgOffsets(pool);
    const redisAt = await redisOffsetsOf(redis, redisPrefix);
    const pgExpected = recount(recordsBelow(records, pgAt));
    const redisExpected = recount(recordsBelow(records, redisAt));
    expect(await postgresSnapshot(pool)).toEqual({ tallies: pgExpected.tallies, counters: pgExpected.counters });
    expect(await redisSnapshot(redis, redisPrefix)).toEqual({ tallies: redisExpected.tallies, counters: redisExpected.counters });
    const count = (at: Record<string, string>): number => Object.values(at).reduce((sum, n) => sum + Number(n), 0);
    return { postgres: count(pgAt), redis: count(redisAt) };
  };

  it('leaves every Postgres and Redis tally equal to a recount from the topics after two SIGKILLs and restarts', async () => {
    const log = randomScenario(5101, { participants: 150, proposals: 30, voteEvents: 4000, prolificSubmissions: 104 }, topicPrefix);
    const records = log.records;
    let produced = 0;
    const produceUpTo = async (end: number, chunk: number, pauseMs: number): Promise<void> => {
      while (produced < end) {
        const next = records.slice(produced, Math.min(end, produced + chunk));
        await produceRecords(producer, next);
        produced += next.length;
        if (pauseMs > 0) await sleep(pauseMs);
      }
    };
    const kills: { appliedBefore: number; produced: number; openTransactions: number; postgres: number; redis: number }[] = [];

    // Run 1: the projector consumes while events arrive; killed in the middle of a batch.
    const first = startProjector();
    const arriving = produceUpTo(Math.floor(records.length * 0.6), 60, 15);
    const kill1 = await killInTheMiddleOfABatch(first, 0, () => produced);
    await arriving;
    kills.push({ ...kill1, ...(await expectEachStoreAtItsCheckpoint(records)) });

    // While it is down, more events arrive.
    await produceUpTo(Math.floor(records.length * 0.8), 500, 0);

    // Run 2: same consumer group; killed in the middle of a batch of its catch-up.
    const second = startProjector();
    const kill2 = await killInTheMiddleOfABatch(second, kills[0].postgres, () => produced);
    kills.push({ ...kill2, ...(await expectEachStoreAtItsCheckpoint(records)) });

    await produceUpTo(records.length, 500, 0);

    // Run 3: catches up to the end of every partition.
    const third = startProjector();
    const ends = await highWatermarks(kafka, topics);
    await eventually(
      async () => {
        if (third.child.exitCode !== null) throw new Error(`the projector exited:\n${third.output()}`);
        expect(await pgOffsets(pool)).toEqual(ends);
        expect(await redisOffsetsOf(redis, redisPrefix)).toEqual(ends);
      },
      { timeoutMs: 150_000, intervalMs: 250 },
    );
    process.stdout.write(`kills: ${JSON.stringify(kills)} of ${records.length} records\n`);

    // The recount is made from the topics themselves, not from what the test meant to write.
    const fromTopics = await readTopics(kafka, topics);
    expect(fromTopics).toHaveLength(records.length);
    const expected = recount(fromTopics);
    expect(Object.keys(expected.tallies).length).toBeGreaterThan(20);
    expect(await postgresSnapshot(pool)).toEqual({ tallies: expected.tallies, counters: expected.counters });
    expect(await redisSnapshot(redis, redisPrefix)).toEqual({ tallies: expected.tallies, counters: expected.counters });
    expect(await pgOffsets(pool)).toEqual(expected.positions);
    expect(await negativePostgresCounts(pool)).toBe(0);
    const statuses = await pool.query<{ id: string; status: string; within_quota: boolean }>(
      `SELECT proposal_id::text AS id, status, within_quota FROM readmodel.proposals`,
    );
    expect(Object.fromEntries(statuses.rows.map((r) => [r.id, { status: r.status, withinQuota: r.within_quota }]))).toEqual(
      Object.fromEntries(Object.entries(expected.proposals).map(([id, p]) => [id, { status: p.status, withinQuota: p.withinQuota }])),
    );

    // Both kills hit a batch in progress, at different points of the log.
    expect(kills).toHaveLength(2);
    for (const kill of kills) {
      expect(kill.openTransactions).toBeGreaterThan(0);
      expect(kill.appliedBefore).toBeGreaterThan(0);
      expect(kill.appliedBefore).toBeLessThan(kill.produced);
    }
    expect(kills[1].appliedBefore).toBeGreaterThan(kills[0].postgres);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/projector_consumer_lag\{/);
    third.child.kill('SIGTERM');
    expect((await third.exited).signal ?? 'exited').toBeDefined();
  }, 420_000);
});
