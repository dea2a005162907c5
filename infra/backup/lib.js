'use strict';
/*
 * Helpers shared by the backup, restore-drill and dead-letter scripts. Plain CommonJS on purpose
 * (like infra/scripts/create-topics.js): they run from a checkout or from the app image without a
 * build, with the project's own kafkajs, pg and ioredis.
 */
const { randomUUID } = require('crypto');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');

const logger = (tag) => (message) => process.stderr.write(`[${tag}] ${message}\n`);

/**
 * Parses `--name value` and `--flag` arguments. `spec` maps each accepted name to 'string',
 * 'int' or 'flag'; positional arguments are returned in `_`.
 */
function parseArgs(argv, spec, usage) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      out._.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (name === 'help') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const kind = spec[name];
    if (!kind) throw new Error(`unknown option --${name}\n${usage}`);
    if (kind === 'flag') {
      out[name] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value\n${usage}`);
    if (kind === 'int') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
      out[name] = n;
    } else out[name] = value;
  }
  return out;
}

const brokersFromEnv = () =>
  (process.env.KAFKA_BROKERS || `${process.env.KAFKA_HOST || '127.0.0.1'}:${process.env.KAFKA_PORT || '9092'}`)
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);

function createKafka(clientId, brokers = brokersFromEnv()) {
  const { Kafka, logLevel } = require('kafkajs');
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, connectionTimeout: 5000, retry: { retries: 8, initialRetryTime: 300 } });
}

/** The topics of infra/kafka/topics.json (the same spec infra/bin/topics creates). */
const topicSpecs = () => require(path.join(ROOT, 'infra', 'scripts', 'create-topics.js')).loadTopicSpecs();

const tpKey = (topic, partition) => `${topic}:${partition}`;

/**
 * Reads every record of the given partitions in log order, from offset `from` (default the log
 * start) up to, not including, `until` (a high watermark taken before). `ranges` is a list of
 * { topic, partition, from?, until }. `onRecord(topic, partition, message)` is awaited record by
 * record. Uses a throwaway consumer group (kafkajs consumers need one), deleted at the end;
 * nothing is committed.
 */
async function readPartitions(kafka, ranges, onRecord, { groupPrefix = 'infra-reader', timeoutMs = 0 } = {}) {
  const wanted = new Map();
  for (const r of ranges) if (BigInt(r.until) > BigInt(r.from ?? 0)) wanted.set(tpKey(r.topic, r.partition), { from: BigInt(r.from ?? 0), until: BigInt(r.until) });
  if (wanted.size === 0) return;
  const topics = [...new Set(ranges.map((r) => r.topic))];
  const groupId = `${groupPrefix}-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  const pending = new Set(wanted.keys());
  let settle;
  const finished = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) settle.reject(payload.error);
  });
  const timer = timeoutMs > 0 ? setTimeout(() => settle.reject(new Error(`not read to the end within ${timeoutMs} ms: ${[...pending].join(', ')}`)), timeoutMs) : null;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
        const key = tpKey(batch.topic, batch.partition);
        const range = wanted.get(key);
        if (!range || !pending.has(key)) return;
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) return;
          const offset = BigInt(message.offset);
          if (offset >= range.until) break;
          if (offset >= range.from) await onRecord(batch.topic, batch.partition, message);
        }
        if (BigInt(batch.lastOffset()) + 1n >= range.until) {
          pending.delete(key);
          if (pending.size === 0) settle.resolve();
        }
        await heartbeat();
      },
    });
    await finished;
  } finally {
    if (timer) clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect().catch(() => undefined));
  }
}

/** A projection's checkpoint in Postgres: "topic:partition" → next offset (string), non-zero only. */
async function postgresCheckpoint(databaseUrl, schema, projection = 'postgres') {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT topic || ':' || partition AS k, next_offset::text AS n FROM ${schema}.projection_offsets WHERE projection = $1 AND next_offset > 0`,
      [projection],
    );
    return Object.fromEntries(rows.map((r) => [r.k, r.n]));
  } finally {
    await client.end();
  }
}

/**
 * The key naming the Redis projection's live generation after a rebuild: REDIS_PROJECTION_POINTER
 * when set (the query-api's setting), else the projector's default `${base}:active`
 * (apps/projector/src/rebuild/redis-generation.ts, pointerKeyOf).
 */
const pointerKey = (base) => process.env.REDIS_PROJECTION_POINTER || `${base}:active`;

/** The Redis projection's live key prefix: the generation the pointer names, else base. */
const livePrefix = async (redis, base) => (await redis.get(pointerKey(base))) || base;

/** The Redis projection's checkpoint: hash `${prefix}:offsets`, non-zero entries only. */
async function redisCheckpoint(redisUrl, basePrefix) {
  const Redis = require('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    const prefix = await livePrefix(redis, basePrefix);
    const all = await redis.hgetall(`${prefix}:offsets`);
    return Object.fromEntries(Object.entries(all).filter(([, n]) => n !== '0'));
  } finally {
    redis.disconnect();
  }
}

/** Expected checkpoint after applying a Kafka dump: every non-empty event partition at its high watermark. */
function dumpPositions(manifest, topicPrefix = manifest.topicPrefix) {
  const out = {};
  for (const t of manifest.topics.filter((x) => x.role === 'events')) {
    for (const p of t.partitions) if (p.high !== '0') out[tpKey(`${topicPrefix}${t.name}`, p.partition)] = p.high;
  }
  return out;
}

/** Keys whose values differ between two checkpoints, with both sides. */
function positionDiff(expected, actual) {
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return keys.filter((k) => (expected[k] ?? '0') !== (actual[k] ?? '0')).map((k) => ({ partition: k, expected: expected[k] ?? '0', actual: actual[k] ?? '0' }));
}

/** Writes to a stream, waiting for 'drain' when its buffer is full. */
const write = (stream, chunk) => (stream.write(chunk) ? Promise.resolve() : new Promise((resolve) => stream.once('drain', resolve)));

/** A connection string without its password, for logs and manifests. */
function redactUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparsable url>';
  }
}

/** Runs `main`, prints an error as `[tag] ERROR: …` and sets the exit code. */
function runMain(tag, main) {
  main()
    .then((code) => process.exit(typeof code === 'number' ? code : 0))
    .catch((error) => {
      process.stderr.write(`[${tag}] ERROR: ${error && error.message ? error.message : error}\n`);
      process.exit(1);
    });
}

module.exports = {
  ROOT,
  brokersFromEnv,
  createKafka,
  dumpPositions,
  livePrefix,
  pointerKey,
  logger,
  parseArgs,
  positionDiff,
  postgresCheckpoint,
  readPartitions,
  redactUrl,
  redisCheckpoint,
  runMain,
  topicSpecs,
  tpKey,
  write,
};
