#!/usr/bin/env node
'use strict';
/*
 * Re-produces a dump of kafka-dump.js into a broker: creates the topics with the dump's partition
 * counts and topic configs, then appends each partition's records to the same partition, in the
 * same order, with the same key, headers, value and timestamp (idempotent producer, acks=all, one
 * request in flight: no reordering, no duplicate on retry). Into empty topics only: on a fresh
 * cluster the offsets are then the original ones (when the dump says they were dense), so the
 * checkpoints stored in read models and the positions printed with results still apply.
 *
 *   node infra/backup/kafka-restore.js --from DIR [--include-dead-letters] [--topic-prefix P] [--verify-only]
 * Env: KAFKA_BROKERS, KAFKA_REPLICATION_FACTOR (default 1), KAFKA_MIN_INSYNC_REPLICAS.
 * The topic prefix is the dump's unless --topic-prefix is given. Every topic of the dump is
 * created; the dead-letter topic's records are copied only with --include-dead-letters (the
 * projector writes them again when it meets the same undecodable records).
 */
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const zlib = require('zlib');
const { createKafka, brokersFromEnv, logger, parseArgs, runMain } = require('./lib');

const USAGE = 'usage: kafka-restore.js --from DIR [--include-dead-letters] [--topic-prefix P] [--verify-only]';
const log = logger('kafka-restore');
const MAX_BATCH_MESSAGES = 500;
const MAX_BATCH_BYTES = 512 * 1024;

async function* lines(file) {
  const input = fs.createReadStream(file).pipe(zlib.createGunzip());
  for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) if (line.length > 0) yield line;
}

const toMessage = (partition, record) => {
  const headers = {};
  for (const [name, value] of record.headers) {
    const bytes = value === null ? null : Buffer.from(value, 'base64');
    if (!(name in headers)) headers[name] = bytes;
    else headers[name] = [].concat(headers[name], bytes);
  }
  return {
    partition,
    key: record.key === null ? null : Buffer.from(record.key, 'base64'),
    value: record.value === null ? null : Buffer.from(record.value, 'base64'),
    headers,
    timestamp: record.timestamp,
  };
};

/** Every file's content hash and record count match the manifest (before anything is written). */
async function verify(dir, manifest) {
  for (const t of manifest.topics) {
    for (const p of t.partitions) {
      const hash = crypto.createHash('sha256');
      let count = 0;
      for await (const line of lines(path.join(dir, p.file))) {
        hash.update(`${line}\n`);
        count++;
      }
      if (count !== p.records || hash.digest('hex') !== p.sha256) throw new Error(`${p.file}: content does not match the manifest (damaged or edited backup)`);
    }
  }
}

const positive = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
};

async function createTopics(admin, manifest, prefix) {
  const replicationFactor = positive('KAFKA_REPLICATION_FACTOR', 1);
  const minIsr = positive('KAFKA_MIN_INSYNC_REPLICAS', undefined);
  const existing = new Set(await admin.listTopics());
  for (const t of manifest.topics) {
    const topic = `${prefix}${t.name}`;
    if (!existing.has(topic)) continue;
    const offsets = await admin.fetchTopicOffsets(topic);
    if (offsets.some((o) => o.high !== '0')) throw new Error(`${topic} already holds records: restore into empty topics only (a fresh cluster or another prefix)`);
    if (offsets.length !== t.partitions.length) throw new Error(`${topic} exists with ${offsets.length} partitions, the backup has ${t.partitions.length}`);
  }
  const missing = manifest.topics.filter((t) => !existing.has(`${prefix}${t.name}`));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => {
      const configs = { ...t.configs, ...(minIsr === undefined ? {} : { 'min.insync.replicas': String(minIsr) }) };
      return {
        topic: `${prefix}${t.name}`,
        numPartitions: t.partitions.length,
        replicationFactor,
        configEntries: Object.entries(configs).map(([name, value]) => ({ name, value: String(value) })),
      };
    }),
  });
  for (const t of missing) log(`created ${prefix}${t.name} (${t.partitions.length} partitions, replication factor ${replicationFactor})`);
}

async function restorePartition(producer, topic, dir, p) {
  let batch = [];
  let bytes = 0;
  let sent = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await producer.send({ topic, acks: -1, messages: batch });
    sent += batch.length;
    batch = [];
    bytes = 0;
  };
  for await (const line of lines(path.join(dir, p.file))) {
    const message = toMessage(p.partition, JSON.parse(line));
    batch.push(message);
    bytes += line.length;
    if (batch.length >= MAX_BATCH_MESSAGES || bytes >= MAX_BATCH_BYTES) await flush();
  }
  await flush();
  return sent;
}

async function main() {
  const args = parseArgs(process.argv.slice(2), { from: 'string', 'include-dead-letters': 'flag', 'topic-prefix': 'string', 'verify-only': 'flag' }, USAGE);
  if (!args.from) throw new Error(USAGE);
  const manifest = JSON.parse(fs.readFileSync(path.join(args.from, 'manifest.json'), 'utf8'));
  if (manifest.format !== 'consultation-kafka-dump/1') throw new Error(`${args.from}: not a kafka-dump.js backup`);
  await verify(args.from, manifest);
  log(`backup verified: ${manifest.topics.length} topics, taken ${manifest.createdAt}`);
  if (args['verify-only']) return 0;

  const prefix = args['topic-prefix'] ?? manifest.topicPrefix;
  const kafka = createKafka('backup-restore');
  const admin = kafka.admin();
  await admin.connect();
  const started = Date.now();
  try {
    await createTopics(admin, manifest, prefix);
    const { Partitioners } = require('kafkajs');
    // Explicit partitions on every message; the partitioner is never consulted.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    let total = 0;
    const preserved = [];
    try {
      for (const t of manifest.topics) {
        if (t.role !== 'events' && !args['include-dead-letters']) continue;
        const topic = `${prefix}${t.name}`;
        let count = 0;
        for (const p of t.partitions) count += await restorePartition(producer, topic, args.from, p);
        const after = await admin.fetchTopicOffsets(topic);
        for (const p of t.partitions) {
          const now = after.find((o) => o.partition === p.partition);
          if (BigInt(now.high) !== BigInt(p.records)) throw new Error(`${topic}/${p.partition}: ${now.high} records after the restore, ${p.records} in the backup`);
          // Same offsets as the original when it started at 0 without gaps.
          preserved.push(p.low === '0' && p.dense);
        }
        total += count;
        log(`restored ${topic}: ${count} records`);
      }
    } finally {
      await producer.disconnect();
    }
    const same = preserved.every(Boolean);
    log(`${total} records restored to ${brokersFromEnv().join(',')} prefix '${prefix}' in ${((Date.now() - started) / 1000).toFixed(1)}s; offsets ${same ? 'identical to the original log' : 'RENUMBERED (the original log had gaps or a log start above 0): stored checkpoints of the originals do not apply'}`);
  } finally {
    await admin.disconnect();
  }
  return 0;
}

runMain('kafka-restore', main);
