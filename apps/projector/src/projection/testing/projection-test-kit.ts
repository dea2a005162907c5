import { randomBytes } from 'node:crypto';
import { migrate } from '@app/postgres/migrate';
import { adminUrl, databaseUrl, tolerateTermination } from '@app/testing';
import { DEAD_LETTER_TOPIC, TOPIC_SPECS, encodeEvent, keyOf, physicalTopic } from '@app/events';
import Redis from 'ioredis';
import { Kafka, Message, Producer } from 'kafkajs';
import { Client, Pool } from 'pg';
import { CounterSnapshot, TallySnapshot } from '../recount';
import { PositionedEvent, ProjectionBatch } from '../projection-batch';
import { TALLY_COLUMNS, TALLY_FIELDS } from '../tally-vector';

/** A database of this test file's own, migrated from the checked-in migrations, dropped after. */
export interface OwnDatabase {
  readonly url: string;
  readonly pool: Pool;
  drop(): Promise<void>;
}

const admin = async (sql: string): Promise<void> => {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

export const createOwnDatabase = async (): Promise<OwnDatabase> => {
  const name = `projector_test_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = databaseUrl(name);
  await migrate(url);
  const pool = new Pool({ connectionString: url, max: 8 });
  tolerateTermination(pool);
  return {
    url,
    pool,
    drop: async () => {
      await pool.end();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
};

export const deleteRedisKeys = async (redis: Redis, prefix: string): Promise<void> => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
};

/** One batch per record list, positions taken from the records. */
export const batchOf = (events: readonly PositionedEvent[]): ProjectionBatch => ({ events, positions: [] });

const setNonZero = (table: Record<string, Record<string, Record<string, number>>>, a: string, b: string, field: string, n: number): void => {
  if (n === 0) return;
  table[a] ??= {};
  table[a][b] ??= {};
  table[a][b][field] = n;
};

/** Postgres tallies and counters in the recount's shape (zeros left out). */
export const postgresSnapshot = async (pool: Pool, schema = 'readmodel'): Promise<{ tallies: TallySnapshot; counters: CounterSnapshot }> => {
  const tallies: TallySnapshot = {};
  const rows = await pool.query<Record<string, string | number>>(`SELECT proposal_id::text AS proposal_id, * FROM ${schema}.tallies`);
  for (const row of rows.rows) {
    for (const field of TALLY_FIELDS) setNonZero(tallies, String(row.proposal_id), String(row.tier), field, Number(row[TALLY_COLUMNS[field]]));
  }
  const counters: CounterSnapshot = {};
  const counterRows = await pool.query<Record<string, string | number>>(`SELECT * FROM ${schema}.consultation_counters`);
  const columns: Record<string, string> = {
    participants: 'participants',
    proposalsSubmitted: 'proposals_submitted',
    proposalsAccepted: 'proposals_accepted',
    proposalsRefused: 'proposals_refused',
    votes: 'votes',
  };
  for (const row of counterRows.rows) {
    for (const [field, column] of Object.entries(columns)) {
      setNonZero(counters, String(row.consultation), String(row.tier), field, Number(row[column]));
    }
  }
  return { tallies, counters };
};

const scanKeys = async (redis: Redis, pattern: string): Promise<string[]> => {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
};

/**
 * Redis tallies and counters in the recount's shape; also checks that each hash's `all:` fields
 * equal the sum of its tiers (throws otherwise).
 */
export const redisSnapshot = async (redis: Redis, prefix: string): Promise<{ tallies: TallySnapshot; counters: CounterSnapshot }> => {
  const read = async (kind: 't' | 'c'): Promise<Record<string, Record<string, Record<string, number>>>> => {
    const table: Record<string, Record<string, Record<string, number>>> = {};
    for (const key of await scanKeys(redis, `${prefix}:${kind}:*`)) {
      const id = key.slice(prefix.length + 3);
      const sums: Record<string, number> = {};
      const alls: Record<string, number> = {};
      for (const [name, value] of Object.entries(await redis.hgetall(key))) {
        const [tier, field] = name.split(':');
        const n = Number(value);
        if (n < 0) throw new Error(`negative ${key} ${name} = ${n}`);
        if (tier === 'all') {
          alls[field] = n;
          continue;
        }
        sums[field] = (sums[field] ?? 0) + n;
        setNonZero(table, id, tier, field, n);
      }
      for (const field of new Set([...Object.keys(sums), ...Object.keys(alls)])) {
        if ((sums[field] ?? 0) !== (alls[field] ?? 0)) throw new Error(`${key} all:${field} = ${alls[field]} but tiers sum to ${sums[field]}`);
      }
    }
    return table;
  };
  return { tallies: await read('t'), counters: await read('c') };
};

/** Every Postgres count column, to check that none is negative. */
export const negativePostgresCounts = async (pool: Pool, schema = 'readmodel'): Promise<number> => {
  const tallyChecks = TALLY_FIELDS.map((f) => `${TALLY_COLUMNS[f]} < 0`).join(' OR ');
  const result = await pool.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM ${schema}.tallies WHERE ${tallyChecks})::int
          + (SELECT count(*) FROM ${schema}.consultation_counters
             WHERE participants < 0 OR proposals_submitted < 0 OR proposals_accepted < 0 OR proposals_refused < 0 OR votes < 0)::int AS n`,
  );
  return result.rows[0].n;
};

/** This file's own topics, with the production partition counts; deleted by the returned function. */
export const createTestTopics = async (kafka: Kafka, prefix: string): Promise<() => Promise<void>> => {
  const admin = kafka.admin();
  await admin.connect();
  const topics = [
    ...TOPIC_SPECS.map((spec) => ({ topic: physicalTopic(prefix, spec.name), numPartitions: spec.partitions })),
    { topic: physicalTopic(prefix, DEAD_LETTER_TOPIC), numPartitions: 1 },
  ];
  await admin.createTopics({ topics: topics.map((t) => ({ ...t, replicationFactor: 1 })), waitForLeaders: true });
  return async () => {
    await admin.deleteTopics({ topics: topics.map((t) => t.topic) }).catch(() => undefined);
    await admin.disconnect();
  };
};

/** Appends records to the partitions they name, in order (acks=all). */
export const produceRecords = async (producer: Producer, records: readonly PositionedEvent[]): Promise<void> => {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    const messages = byTopic.get(r.topic) ?? [];
    messages.push({ key: keyOf(r.event), value: encodeEvent(r.event), partition: r.partition });
    byTopic.set(r.topic, messages);
  }
  await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
};
