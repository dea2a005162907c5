import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sealPersonalData } from '@app/events';
import { createTestDatabase, eventually, testEnv, uniquePrefix, tolerateTermination } from '@app/testing';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { idFrom, randomScenario } from '../../../apps/projector/src/projection/testing/event-scenario';
import { deleteRedisKeys, produceRecords } from '../../../apps/projector/src/projection/testing/projection-test-kit';
import { REPO } from './exported-metrics';

const run = promisify(execFile);

/**
 * A small stack of this test file's own on the shared services: topics under a unique prefix
 * (created by infra/scripts/create-topics.js, like infra/bin/topics), a database cloned from the
 * migrated template, a unique Redis projection prefix; a reproducible event log with sealed
 * personal data (one participant erased) and one undecodable record; read models built by the
 * real projector app.
 */
export interface SeededStack {
  readonly topicPrefix: string;
  readonly redisPrefix: string;
  readonly databaseUrl: string;
  readonly databaseName: string;
  readonly redisUrl: string;
  readonly kafka: Kafka;
  /** The environment the apps and the backup scripts see for this stack. */
  readonly env: Record<string, string>;
  readonly records: number;
  /** Starts the projector app on the stack and waits until both projections reached the log end. */
  project(): Promise<void>;
  close(): Promise<void>;
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

export const highWatermarks = async (kafka: Kafka, topics: readonly string[]): Promise<Record<string, string>> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out: Record<string, string> = {};
    for (const topic of topics) for (const { partition, high } of await admin.fetchTopicOffsets(topic)) if (high !== '0') out[`${topic}:${partition}`] = high;
    return out;
  } finally {
    await admin.disconnect();
  }
};

export const seedStack = async (label: string): Promise<SeededStack> => {
  const topicPrefix = uniquePrefix(label);
  const redisPrefix = `${topicPrefix}rm`;
  const db = await createTestDatabase(label);
  const redisUrl = testEnv.redisUrl();
  const brokers = testEnv.kafkaBrokers();
  const env = {
    KAFKA_BROKERS: brokers.join(','),
    TOPIC_PREFIX: topicPrefix,
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    REDIS_PROJECTION_PREFIX: redisPrefix,
    READMODEL_SCHEMA: 'readmodel',
  };
  await run('node', [join(REPO, 'infra/scripts/create-topics.js')], { cwd: REPO, env: { ...process.env, ...env } });

  const log = randomScenario(20210210, { participants: 30, proposals: 16, voteEvents: 300 }, topicPrefix);
  const pool = new Pool({ connectionString: db.url, max: 2 });
  tolerateTermination(pool);
  const personal = Array.from({ length: 4 }, (_, i) => idFrom(topicPrefix, 'personal', i));
  for (const [i, id] of personal.entries()) {
    const key = randomBytes(32);
    await pool.query('INSERT INTO keystore.participant_keys (participant_id, key) VALUES ($1, $2)', [id, key]);
    log.register(id, (['rural', 'medium', 'large'] as const)[i % 3], sealPersonalData({ firstName: `Camille ${i}`, ageRange: '25-34' }, key, id));
  }
  // Right to erasure: the key is destroyed; a rebuild must find this participant erased again.
  await pool.query('UPDATE keystore.participant_keys SET key = NULL, destroyed_at = now() WHERE participant_id = $1', [personal[0]]);
  await pool.end();

  const kafka = new Kafka({ clientId: 'infra-test', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await produceRecords(producer, log.records);
  // A defect in the log: the projector dead-letters it; a rebuild must do the same, nothing more.
  await producer.send({ topic: `${topicPrefix}votes`, acks: -1, messages: [{ key: 'broken', value: '{"type":"VoteCast","schemaVersion":9}', partition: 0 }] });
  await producer.disconnect();

  const eventTopics = ['consultations', 'participants', 'proposals', 'votes'].map((t) => `${topicPrefix}${t}`);
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();

  const project = async (): Promise<void> => {
    const port = await freePort();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/projector/src/main.ts'], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port), LOG_LEVEL: 'warn', PROJECTOR_GROUP_ID: `${topicPrefix}projector` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const expected = await highWatermarks(kafka, eventTopics);
      await eventually(
        async () => {
          if (child.exitCode !== null) throw new Error(`the projector exited: ${stderr}`);
          const check = new Pool({ connectionString: db.url, max: 1 });
          tolerateTermination(check);
          const rows = await check
            .query<{ k: string; n: string }>("SELECT topic || ':' || partition AS k, next_offset::text AS n FROM readmodel.projection_offsets WHERE next_offset > 0")
            .finally(() => check.end());
          expect(Object.fromEntries(rows.rows.map((r) => [r.k, r.n]))).toEqual(expected);
          expect(await redis.hgetall(`${redisPrefix}:offsets`)).toEqual(expected);
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  };

  return {
    topicPrefix,
    redisPrefix,
    databaseUrl: db.url,
    databaseName: db.name,
    redisUrl,
    kafka,
    env,
    records: log.records.length + 1,
    project,
    close: async () => {
      await deleteRedisKeys(redis, redisPrefix).catch(() => undefined);
      redis.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(topicPrefix));
      await admin.deleteTopics({ topics: mine }).catch(() => undefined);
      await admin.deleteGroups([`${topicPrefix}projector`]).catch(() => undefined);
      await admin.disconnect();
      await db.drop();
    },
  };
};
