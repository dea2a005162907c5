/**
 * What one bench run owns on the shared services, all under unique names and removed at the end:
 * topics under its own prefix, its own database (created and migrated), its own Redis prefix.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { physicalTopic } from '@app/events';
import { createKafka, deleteTopics, ensureTopics, parseBrokers } from '@app/kafka';
import { migrate } from '@app/postgres';
import { adminUrl, databaseUrl } from '@app/testing/test-database';

export const brokers = (): string[] => parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
export const redisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const TOKEN_SECRET = 'bench-token-secret-0123456789-0123456789';
export const MODERATOR_TOKEN = 'bench-moderator-token-0123456789';

const withAdminDb = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

export interface Database {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** A new database with the migrations applied (what `npm run migrate` does to a fresh one). */
export const createDatabase = async (label: string): Promise<Database> => {
  const name = `bench_${label}_${randomBytes(4).toString('hex')}`;
  await withAdminDb((client) => client.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(name);
  await migrate(url);
  return { name, url, drop: () => withAdminDb((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
};

export const deleteRedisKeys = async (redis: Redis, prefix: string): Promise<number> => {
  if (prefix.length < 8) throw new Error(`refusing to delete keys under a short prefix: ${prefix}`);
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
};

export interface Topics {
  readonly prefix: string;
  readonly votes: string;
  remove(): Promise<void>;
}

export const createTopics = async (kafka: Kafka, label: string): Promise<Topics> => {
  const prefix = `bench-${label}-${randomBytes(4).toString('hex')}.`;
  await ensureTopics(kafka, prefix);
  return { prefix, votes: physicalTopic(prefix, 'votes'), remove: () => deleteTopics(kafka, prefix).then(() => undefined) };
};

export const newKafka = (clientId: string): Kafka => createKafka({ brokers: brokers(), clientId, logLevel: 'error' });

/** Where the projection of one prefix/database stands, against the log's high watermarks. */
export class ProjectionProbe {
  constructor(
    private readonly admin: Admin,
    private readonly pg: Client,
    private readonly redis: Redis,
    private readonly topic: string,
    /** Key prefix of the Redis projection (REDIS_PROJECTION_PREFIX). */
    private readonly redisProjectionPrefix: string,
    private readonly schema = 'readmodel',
  ) {}

  /** High watermark per partition of the votes topic. */
  async highWatermarks(): Promise<number[]> {
    const offsets = await this.admin.fetchTopicOffsets(this.topic);
    const out: number[] = [];
    for (const o of offsets) out[o.partition] = Number(o.high);
    return out;
  }

  /** Next offset per partition of the votes topic in the Postgres checkpoint. */
  async postgres(): Promise<number[]> {
    const { rows } = await this.pg.query<{ partition: number; next_offset: string }>(
      `SELECT partition, next_offset FROM ${this.schema}.projection_offsets WHERE projection = 'postgres' AND topic = $1`,
      [this.topic],
    );
    const out: number[] = [];
    for (const r of rows) out[r.partition] = Number(r.next_offset);
    return out;
  }

  /** Next offset per partition of the votes topic in the Redis projection's checkpoint. */
  async redisOffsets(): Promise<number[]> {
    const all = await this.redis.hgetall(`${this.redisProjectionPrefix}:offsets`);
    const out: number[] = [];
    for (const [key, value] of Object.entries(all)) {
      const at = key.lastIndexOf(':');
      if (key.slice(0, at) === this.topic) out[Number(key.slice(at + 1))] = Number(value);
    }
    return out;
  }
}

export const remaining = (high: readonly number[], next: readonly number[]): number =>
  high.reduce((sum, h, p) => sum + Math.max(0, (h ?? 0) - (next[p] ?? 0)), 0);
