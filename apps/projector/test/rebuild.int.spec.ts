import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { TOPIC_NAMES, physicalTopic } from '@app/events';
import { createTestDatabase, eventually, testEnv, uniquePrefix, TestDatabase, tolerateTermination } from '@app/testing';
import Redis from 'ioredis';
import { Kafka, Producer, logLevel } from 'kafkajs';
import { Client, Pool, PoolClient } from 'pg';
import { PostgresProjection } from '../src/projection/postgres-projection';
import { PositionedEvent } from '../src/projection/projection-batch';
import { ProjectorRunner } from '../src/projection/projector-runner';
import { Recount, recount } from '../src/projection/recount';
import { RedisProjection } from '../src/projection/redis-projection';
import { randomScenario } from '../src/projection/testing/event-scenario';
import { createTestTopics, negativePostgresCounts, postgresSnapshot, produceRecords, redisSnapshot } from '../src/projection/testing/projection-test-kit';
import { describeSchema, schemaExists, shapeDifferences, viewsBoundTo } from '../src/rebuild/pg-schema';
import { RebuildProgress, formatProgress } from '../src/rebuild/progress';
import { ReadModelRebuild, RebuildResult } from '../src/rebuild/read-model-rebuild';
import { activePrefix, generationKeys, pointerKeyOf } from '../src/rebuild/redis-generation';
import {
  NodeProcess,
  REPO,
  dumpRedis,
  dumpSchema,
  ensureBuilt,
  highWatermarks,
  pgOffsets,
  readTopics,
  recordsBelow,
  redisOffsetsOf,
  sleep,
  spawnNode,
} from './support';

/**
 * DESIGN.md invariant 4: read models rebuilt from offset 0 while the live projector runs, equal to
 * the live ones and to a recount, and switched without readers ever seeing a partial state.
 */
describe('read-model rebuild', () => {
  const topicPrefix = uniquePrefix('rebuild');
  const redisPrefix = `t-rebuild-${randomBytes(4).toString('hex')}`;
  const topics = TOPIC_NAMES.map((name) => physicalTopic(topicPrefix, name));
  const kafka = new Kafka({ clientId: 'rebuild-test', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
  let deleteTopics: () => Promise<void>;
  let producer: Producer;
  let db: TestDatabase;
  let pool: Pool;
  let redis: Redis;
  let live: ProjectorRunner;
  const groupId = `projector-${randomBytes(4).toString('hex')}`;
  const retiredGenerations: string[] = [];
  const children: NodeProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    deleteTopics = await createTestTopics(kafka, topicPrefix);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    db = await createTestDatabase('rebuild');
    pool = new Pool({ connectionString: db.url, max: 12 });
    tolerateTermination(pool);
    redis = new Redis(testEnv.redisUrl());
    // The live projector, wired as ProjectorService wires it (RedisProjection follows `${prefix}:active`).
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
      async () => children.forEach((c) => c.child.exitCode === null && c.child.kill('SIGKILL')),
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
        if (!redis) return;
        const generations = new Set([redisPrefix, await activePrefix(redis, redisPrefix), ...retiredGenerations]);
        await redis.del(pointerKeyOf(redisPrefix));
        for (const prefix of generations) for await (const keys of generationKeys(redis, prefix)) await redis.unlink(...keys);
      },
      async () => redis?.disconnect(),
      async () => pool?.end(),
      async () => db?.drop(),
    ];
    for (const cleanup of cleanups) await cleanup().catch((error: Error) => process.stderr.write(`cleanup: ${error.message}\n`));
  });

  const expectExact = async (pg: Pool | Client, prefix: string, expected: Recount, schema = 'readmodel'): Promise<void> => {
    const want = { tallies: expected.tallies, counters: expected.counters };
    expect(await postgresSnapshot(pg as Pool, schema)).toEqual(want);
    expect(await redisSnapshot(redis, prefix)).toEqual(want);
  };

  /** Waits until the live projector has applied every record of the topics to both stores. */
  const caughtUp = async (): Promise<Record<string, string>> =>
    eventually(
      async () => {
        const ends = await highWatermarks(kafka, topics);
        expect(await pgOffsets(pool)).toEqual(ends);
        expect(await redisOffsetsOf(redis, await activePrefix(redis, redisPrefix))).toEqual(ends);
        return ends;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );

  const analyticsDump = async (): Promise<Record<string, string[]>> => {
    const out: Record<string, string[]> = {};
    for (const view of ['proposal_results', 'plebiscites', 'participation_by_tier', 'participation_by_departement', 'participation_by_region', 'votes_by_hour', 'log_positions']) {
      out[view] = (await pool.query<{ r: string }>(`SELECT to_jsonb(v)::text AS r FROM analytics.${view} v ORDER BY 1`)).rows.map((row) => row.r);
    }
    return out;
  };

  it('rebuilds read models identical to the live ones, row by row and key by key, equal to the recount', async () => {
    const log = randomScenario(4101, { participants: 150, proposals: 30, voteEvents: 5000, prolificSubmissions: 104 }, topicPrefix);
    await produceRecords(producer, log.records);
    await caughtUp();
    const expected = recount(await readTopics(kafka, topics));
    await expectExact(pool, redisPrefix, expected);
    const beforeTables = await dumpSchema(pool, 'readmodel');
    const beforeViews = await analyticsDump();
    const liveShape = await withClient(pool, (c) => describeSchema(c, 'readmodel'));

    const progress: RebuildProgress[] = [];
    const readers = startReaders(pool, redis, redisPrefix);
    const result = await new ReadModelRebuild({
      kafka,
      pool,
      redis,
      topicPrefix,
      redisPrefix,
      keepOld: true,
      tailLag: 0,
      progressIntervalMs: 200,
      onProgress: (p) => progress.push(p),
    })
      .run()
      .finally(() => sleep(300));
    const samples = await readers.stop();
    report('rebuild (idle log)', result, progress);

    // Readers: every answer was the complete figure, from the old tables or the new ones.
    expect(samples.errors).toEqual([]);
    const total = Object.values(expected.counters).flatMap((byTier) => Object.values(byTier)).reduce((sum, c) => sum + (c.votes ?? 0), 0);
    const pgSamples = samples.pg.flat();
    expect(new Set(pgSamples.map((s) => s.tallyVotes))).toEqual(new Set([total]));
    expect(new Set(pgSamples.map((s) => s.counterVotes))).toEqual(new Set([total]));
    const positionsKey = (o: Record<string, string>): string => JSON.stringify(Object.entries(o).sort());
    expect(new Set(pgSamples.map((s) => positionsKey(s.offsets)))).toEqual(new Set([positionsKey(expected.positions)]));
    expect(new Set(pgSamples.map((s) => s.resultsVotes).filter((n) => n !== null)).size).toBe(1);
    expect(new Set(samples.redis.map((s) => s.votes))).toEqual(new Set([total]));
    expect(new Set(pgSamples.map((s) => s.talliesOid)).size).toBe(2);
    expect([...new Set(samples.redis.map((s) => s.prefix))].sort()).toEqual([redisPrefix, result.redisPrefix].sort());

    // The rebuilt schema and generation equal the retired ones exactly.
    expect(result.retiredRedisPrefix).toBe(redisPrefix);
    retiredGenerations.push(redisPrefix);
    expect(await activePrefix(redis, redisPrefix)).toBe(result.redisPrefix);
    const client = await pool.connect();
    try {
      expect(shapeDifferences(liveShape, await describeSchema(client, 'readmodel'), ['before', 'after'])).toEqual([]);
      expect(await viewsBoundTo(client, result.retiredSchema)).toEqual([]);
    } finally {
      client.release();
    }
    const rebuilt = await dumpSchema(pool, 'readmodel');
    expect(Object.keys(rebuilt).sort()).toEqual(Object.keys(beforeTables).sort());
    for (const table of Object.keys(rebuilt)) expect({ table, rows: rebuilt[table] }).toEqual({ table, rows: beforeTables[table] });
    expect(await dumpSchema(pool, result.retiredSchema)).toEqual(beforeTables);
    const oldKeys = await dumpRedis(redis, redisPrefix);
    const newKeys = await dumpRedis(redis, result.redisPrefix);
    expect(Object.keys(newKeys).length).toBeGreaterThan(100);
    expect(newKeys).toEqual(oldKeys);
    await expectExact(pool, result.redisPrefix, expected);
    expect(await analyticsDump()).toEqual(beforeViews);
    expect(await negativePostgresCounts(pool)).toBe(0);

    // The analyst still reads the (recreated) views and nothing else.
    const analyst = new Client({ connectionString: db.url });
    await analyst.connect();
    try {
      await analyst.query('SET ROLE analyst');
      const seen = await analyst.query<{ n: number }>(`SELECT count(*)::int AS n FROM analytics.proposal_results`);
      expect(seen.rows[0].n).toBe(beforeViews.proposal_results.length);
      await expect(analyst.query('SELECT 1 FROM readmodel.tallies LIMIT 1')).rejects.toThrow(/permission denied/);
      await expect(analyst.query(`DELETE FROM analytics.proposals`)).rejects.toThrow(/permission denied|cannot delete/);
    } finally {
      await analyst.end();
    }

    // Progress was reported with rates and remaining counts.
    expect(progress.some((p) => p.phase === 'replay')).toBe(true);
    expect(progress[progress.length - 1]).toMatchObject({ phase: 'done', remaining: 0 });
    expect(progress[progress.length - 1].done).toBe(log.records.length);

    // The live projector writes into the rebuilt schema and generation from now on.
    const more = randomScenario(4102, { participants: 30, proposals: 8, voteEvents: 600 }, topicPrefix);
    await produceRecords(producer, more.records);
    await caughtUp();
    const after = recount(await readTopics(kafka, topics));
    await expectExact(pool, result.redisPrefix, after);
    expect(await pgOffsets(pool, result.retiredSchema)).toEqual(expected.positions);
  }, 240_000);

  it('switches while events keep arriving (the real command): the live projector goes on in the new read models, readers only move forward and always see exact figures', async () => {
    // Enough traffic (≥ 60 s at the pace below) that the rebuild finishes while it still flows, even
    // on a loaded machine; slow enough that the rebuild's tail always catches up with it.
    const traffic = randomScenario(4103, { participants: 200, proposals: 40, voteEvents: 90_000 }, topicPrefix).records;
    let produced = 0;
    let producing = true;
    const production = (async () => {
      // The scenario's own offsets do not count here: the topics already hold the first test's events.
      while (producing && produced < traffic.length) {
        const chunk = traffic.slice(produced, produced + 60);
        await produceRecords(producer, chunk);
        produced += chunk.length;
        await sleep(40);
      }
    })();
    await eventually(() => expect(produced).toBeGreaterThan(1500), { timeoutMs: 30_000 });

    const previousPrefix = await activePrefix(redis, redisPrefix);
    const readers = startReaders(pool, redis, redisPrefix);
    const cli = spawnNode(join(REPO, 'dist/apps/projector/src/rebuild/rebuild.cli.js'), ['--grace-seconds', '1', '--tail-lag', '500'], {
      KAFKA_BROKERS: testEnv.kafkaBrokers().join(','),
      TOPIC_PREFIX: topicPrefix,
      DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_PROJECTION_PREFIX: redisPrefix,
      LOG_LEVEL: 'warn',
    });
    children.push(cli);
    const exit = await cli.exited;
    const producedAtSwitch = produced;
    await sleep(1500); // traffic goes on after the switch
    producing = false;
    await production;
    const samples = await readers.stop();
    if (exit.code !== 0) throw new Error(`rebuild command failed (${JSON.stringify(exit)}):\n${cli.output()}`);
    const result = JSON.parse(cli.stdout()) as RebuildResult;
    const progressLines = cli.stderr().split('\n').filter((line) => line.startsWith('rebuild ['));
    process.stdout.write(`rebuild command under traffic: ${JSON.stringify({ ...result, positions: undefined })}\n${progressLines.join('\n')}\n`);

    expect(producedAtSwitch).toBeLessThan(traffic.length); // the switch happened under traffic
    expect(progressLines.some((line) => /ev\/s/.test(line) && /remaining/.test(line) && /ETA/.test(line))).toBe(true);
    expect(result.droppedOld).toBe(true);
    expect(result.retiredRedisPrefix).toBe(previousPrefix);
    retiredGenerations.push(previousPrefix);
    expect(await activePrefix(redis, redisPrefix)).toBe(result.redisPrefix);
    expect(await withClient(pool, (c) => schemaExists(c, result.retiredSchema))).toBe(false);
    expect(await dumpRedis(redis, previousPrefix)).toEqual({});

    // The live projector applied the rest into the rebuilt schema and generation: exact.
    const ends = await caughtUp();
    const log = await readTopics(kafka, topics);
    expect(Object.fromEntries(Object.entries(recount(log).positions))).toEqual(ends);
    await expectExact(pool, result.redisPrefix, recount(log));
    expect(await negativePostgresCounts(pool)).toBe(0);

    // Every answer a reader got was exact for the positions it came with, and positions never
    // went back: no reader saw the rebuilt models before they were complete.
    expect(samples.errors).toEqual([]);
    expect(new Set(samples.pg.flat().map((s) => s.talliesOid)).size).toBe(2);
    expect(new Set(samples.redis.map((s) => s.prefix)).size).toBe(2);
    checkSamples(log, samples);
  }, 300_000);

  it('a rebuild cancelled before its switch removes its fresh schema and generation and changes nothing for readers', async () => {
    const before = { active: await activePrefix(redis, redisPrefix), oid: await tablesOid(pool) };
    const rebuild = new ReadModelRebuild({ kafka, pool, redis, topicPrefix, redisPrefix, id: 'cancelled', progressIntervalMs: 100, onProgress: (p) => p.done > 0 && rebuild.cancel() });
    await expect(rebuild.run()).rejects.toThrow(/cancelled before the switch/);
    expect(await withClient(pool, (c) => schemaExists(c, 'readmodel_rebuild_cancelled'))).toBe(false);
    expect(await dumpRedis(redis, `${redisPrefix}-gen-cancelled`)).toEqual({});
    expect({ active: await activePrefix(redis, redisPrefix), oid: await tablesOid(pool) }).toEqual(before);
  }, 120_000);
});

const tablesOid = async (pool: Pool): Promise<number> =>
  (await pool.query<{ oid: number }>(`SELECT to_regclass('readmodel.tallies')::oid::int AS oid`)).rows[0].oid;

const withClient = async <T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> => {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
};

interface PgSample {
  readonly kind: 'statement' | 'snapshot' | 'tallies-first';
  readonly talliesOid: number;
  readonly tallyVotes: number;
  readonly counterVotes: number;
  /** Votes on proposals in results through the analytics view (only in one-statement reads). */
  readonly resultsVotes: number | null;
  readonly offsets: Record<string, string>;
}

interface RedisSample {
  readonly prefix: string;
  readonly votes: number;
  readonly participants: number;
  readonly offsets: Record<string, string>;
}

interface Samples {
  readonly pg: PgSample[][];
  readonly redis: RedisSample[];
  readonly errors: string[];
}

const OFFSETS_SQL = `(SELECT coalesce(json_object_agg(topic || ':' || partition, next_offset::text), '{}'::json)
   FROM readmodel.projection_offsets WHERE projection = 'postgres' AND next_offset > 0)`;
const SUMS_SQL = `to_regclass('readmodel.tallies')::oid::int AS "talliesOid",
  (SELECT coalesce(sum(total), 0)::int FROM readmodel.tallies) AS "tallyVotes",
  (SELECT coalesce(sum(votes), 0)::int FROM readmodel.consultation_counters) AS "counterVotes"`;

/** The query-api's kind of Redis read: one script that resolves the pointer, then reads. */
const REDIS_READ = `local P = ARGV[1]
local live = redis.call('GET', KEYS[1])
if live then P = live end
local out = { P, redis.call('HGETALL', P .. ':offsets') }
for i = 2, #ARGV do out[#out + 1] = redis.call('HGETALL', P .. ':c:' .. ARGV[i]) end
return out`;

/**
 * Readers querying in a loop until stopped: Postgres in one statement (with an analytics view), in
 * a REPEATABLE READ transaction reading the positions first (as the query-api does), and in one
 * reading the tallies first; Redis through one pointer-resolving script. Each records what it saw.
 */
const startReaders = (pool: Pool, redis: Redis, redisPrefix: string): { stop(): Promise<Samples> } => {
  let running = true;
  const errors: string[] = [];
  const pgLoop = async (kind: PgSample['kind']): Promise<PgSample[]> => {
    const seen: PgSample[] = [];
    const client = await pool.connect();
    try {
      while (running) {
        try {
          if (kind === 'statement') {
            const { rows } = await client.query(
              `SELECT ${SUMS_SQL}, ${OFFSETS_SQL} AS offsets,
                 (SELECT coalesce(sum(votes), 0)::int FROM analytics.proposal_results WHERE tier = 'all') AS "resultsVotes"`,
            );
            seen.push({ kind, ...rows[0] });
          } else {
            await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
            let offsets: Record<string, string>;
            let sums: Omit<PgSample, 'kind' | 'offsets' | 'resultsVotes'>;
            if (kind === 'snapshot') {
              offsets = (await client.query(`SELECT ${OFFSETS_SQL} AS offsets`)).rows[0].offsets;
              sums = (await client.query(`SELECT ${SUMS_SQL}`)).rows[0];
            } else {
              sums = (await client.query(`SELECT ${SUMS_SQL}`)).rows[0];
              await sleep(5);
              offsets = (await client.query(`SELECT ${OFFSETS_SQL} AS offsets`)).rows[0].offsets;
            }
            await client.query('COMMIT');
            seen.push({ kind, ...sums, offsets, resultsVotes: null });
          }
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          errors.push(`${kind}: ${(error as Error).message}`);
        }
        await sleep(3);
      }
    } finally {
      client.release();
    }
    return seen;
  };
  const redisLoop = async (): Promise<RedisSample[]> => {
    const seen: RedisSample[] = [];
    while (running) {
      try {
        const [prefix, offsets, ...counters] = (await redis.eval(REDIS_READ, 1, pointerKeyOf(redisPrefix), redisPrefix, 'cgt', 'autre')) as [string, string[], ...string[][]];
        let votes = 0;
        let participants = 0;
        for (const flat of counters) {
          for (let i = 0; i + 1 < flat.length; i += 2) {
            if (flat[i] === 'all:votes') votes += Number(flat[i + 1]);
            if (flat[i] === 'all:participants') participants += Number(flat[i + 1]);
          }
        }
        const positions: Record<string, string> = {};
        for (let i = 0; i + 1 < offsets.length; i += 2) if (offsets[i + 1] !== '0') positions[offsets[i]] = offsets[i + 1];
        seen.push({ prefix, votes, participants, offsets: positions });
      } catch (error) {
        errors.push(`redis: ${(error as Error).message}`);
      }
      await sleep(2);
    }
    return seen;
  };
  const loops = [pgLoop('statement'), pgLoop('snapshot'), pgLoop('tallies-first')];
  const redisSamples = redisLoop();
  const stop = async (): Promise<Samples> => {
    running = false;
    const pg = await Promise.all(loops);
    return { pg, redis: await redisSamples, errors };
  };
  runningReaders.add(stop);
  return { stop };
};

/** Readers still looping when a test fails are stopped before the pool closes. */
const runningReaders = new Set<() => Promise<Samples>>();
afterEach(async () => {
  for (const stop of runningReaders) await stop().catch(() => undefined);
  runningReaders.clear();
});

/**
 * Which samples of a reader are recounted (a recount of the whole log per sample would cost
 * minutes): all of those within 25 reads of a switch of generation (table OID, Redis prefix),
 * where a partial state would show, and 30 spread over the rest. Monotonicity is checked on all.
 */
const chosen = (generations: readonly unknown[]): Set<number> => {
  const out = new Set<number>([0, generations.length - 1]);
  const stride = Math.max(1, Math.ceil(generations.length / 30));
  generations.forEach((generation, i) => {
    if (i % stride === 0) out.add(i);
    if (i > 0 && generation !== generations[i - 1]) {
      for (let j = Math.max(0, i - 25); j < Math.min(generations.length, i + 25); j++) out.add(j);
    }
  });
  return out;
};

/** Per reader: positions never go back; every figure (of the chosen samples) equals the recount of the log below its positions. */
const checkSamples = (log: readonly PositionedEvent[], samples: Samples): void => {
  const recounts = new Map<string, Recount>();
  const at = (offsets: Record<string, string>): Recount => {
    const key = JSON.stringify(Object.entries(offsets).sort());
    let result = recounts.get(key);
    if (!result) {
      result = recount(recordsBelow(log, offsets));
      recounts.set(key, result);
    }
    return result;
  };
  const sum = (r: Recount, field: string): number =>
    Object.values(r.counters).flatMap((byTier) => Object.values(byTier)).reduce((total, c) => total + (c[field] ?? 0), 0);
  const inResults = (r: Recount): number =>
    Object.entries(r.tallies)
      .filter(([id]) => r.proposals[id]?.status === 'accepted' && r.proposals[id]?.withinQuota)
      .flatMap(([, byTier]) => Object.values(byTier))
      .reduce((total, c) => total + (c.total ?? 0), 0);
  const forward = (previous: Record<string, string> | undefined, next: Record<string, string>, what: string): void => {
    if (!previous) return;
    for (const [key, offset] of Object.entries(previous)) {
      if (BigInt(next[key] ?? '0') < BigInt(offset)) throw new Error(`${what}: ${key} went back from ${offset} to ${next[key] ?? 0}`);
    }
  };

  for (const reader of samples.pg) {
    expect(reader.length).toBeGreaterThan(5);
    const recounted = chosen(reader.map((s) => s.talliesOid));
    let previous: Record<string, string> | undefined;
    for (const [i, sample] of reader.entries()) {
      forward(previous, sample.offsets, `postgres ${sample.kind} reader`);
      previous = sample.offsets;
      if (!recounted.has(i)) continue;
      const expected = at(sample.offsets);
      expect({ kind: sample.kind, tallyVotes: sample.tallyVotes, counterVotes: sample.counterVotes }).toEqual({
        kind: sample.kind,
        tallyVotes: sum(expected, 'votes'),
        counterVotes: sum(expected, 'votes'),
      });
      if (sample.resultsVotes !== null) expect(sample.resultsVotes).toBe(inResults(expected));
    }
  }
  expect(samples.redis.length).toBeGreaterThan(5);
  const recounted = chosen(samples.redis.map((s) => s.prefix));
  let previous: Record<string, string> | undefined;
  for (const [i, sample] of samples.redis.entries()) {
    forward(previous, sample.offsets, 'redis reader');
    previous = sample.offsets;
    if (!recounted.has(i)) continue;
    const expected = at(sample.offsets);
    expect({ votes: sample.votes, participants: sample.participants }).toEqual({ votes: sum(expected, 'votes'), participants: sum(expected, 'participants') });
  }
};

const report = (label: string, result: RebuildResult, progress: readonly RebuildProgress[]): void => {
  process.stdout.write(
    `${label}: ${result.records} records, replay ${result.replayMs} ms (${result.replayEventsPerSecond} ev/s), total ${result.durationMs} ms, ` +
      `switch attempts ${result.switchAttempts}, live projector held ${result.frozenMs} ms ${JSON.stringify(result.switchTimingsMs)}\n${progress.map(formatProgress).join('\n')}\n`,
  );
};
