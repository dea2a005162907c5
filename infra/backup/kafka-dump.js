#!/usr/bin/env node
'use strict';
/*
 * Dumps the Kafka topics of infra/kafka/topics.json (event topics and dead letters) from the log
 * start to the high watermark read when the dump starts: one gzipped NDJSON file per partition,
 * in offset order, each line one record, bytes preserved:
 *   {"offset":"41","timestamp":"1612944000000","key":"<base64>|null","headers":[["event-type","<base64>"],…],"value":"<base64>|null"}
 * plus manifest.json (topics, partition counts, topic configs, low/high watermarks, record counts,
 * SHA-256 of each file's uncompressed content). kafka-restore.js reads it back.
 *
 *   node infra/backup/kafka-dump.js --out DIR [--topics votes,proposals]
 * Env: KAFKA_BROKERS (default $KAFKA_HOST:$KAFKA_PORT), TOPIC_PREFIX.
 *
 * Records appended while the dump runs are not included (they lie above the watermarks taken at
 * the start); the manifest says exactly which positions the dump holds.
 */
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { createKafka, brokersFromEnv, logger, parseArgs, readPartitions, runMain, topicSpecs, tpKey, write } = require('./lib');

const USAGE = 'usage: kafka-dump.js --out DIR [--topics name,name]   (env KAFKA_BROKERS, TOPIC_PREFIX)';
const log = logger('kafka-dump');
const TOPIC_CONFIG_SOURCE = 1; // kafkajs ConfigSource DYNAMIC_TOPIC_CONFIG: set on the topic itself

const recordLine = (message) =>
  `${JSON.stringify({
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key === null ? null : message.key.toString('base64'),
    headers: Object.entries(message.headers || {}).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) => [name, v === undefined || v === null ? null : Buffer.from(v).toString('base64')]),
    ),
    value: message.value === null ? null : message.value.toString('base64'),
  })}\n`;

async function main() {
  const args = parseArgs(process.argv.slice(2), { out: 'string', topics: 'string' }, USAGE);
  if (!args.out) throw new Error(USAGE);
  const prefix = process.env.TOPIC_PREFIX || '';
  const only = args.topics ? new Set(args.topics.split(',')) : null;
  const specs = topicSpecs().filter((s) => !only || only.has(s.name));
  if (specs.length === 0) throw new Error(`no topic selected (known: ${topicSpecs().map((s) => s.name).join(', ')})`);
  fs.mkdirSync(args.out, { recursive: true });
  if (fs.readdirSync(args.out).length > 0) throw new Error(`${args.out} is not empty`);

  const kafka = createKafka('backup-dump');
  const admin = kafka.admin();
  await admin.connect();
  const topics = [];
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(`${prefix}${s.name}`));
    if (missing.length > 0) throw new Error(`topics missing on ${brokersFromEnv().join(',')}: ${missing.map((s) => prefix + s.name).join(', ')}`);
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: specs.map((s) => ({ type: 2 /* TOPIC */, name: `${prefix}${s.name}` })),
    });
    const configsOf = new Map(
      described.resources.map((r) => [
        r.resourceName,
        Object.fromEntries(r.configEntries.filter((e) => e.configSource === TOPIC_CONFIG_SOURCE).map((e) => [e.configName, e.configValue])),
      ]),
    );
    for (const spec of specs) {
      const topic = `${prefix}${spec.name}`;
      const offsets = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition);
      topics.push({
        name: spec.name,
        topic,
        role: spec.role,
        configs: configsOf.get(topic) || {},
        partitions: offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })),
      });
    }
  } finally {
    await admin.disconnect();
  }

  // One gzip stream and one running hash per partition.
  const files = new Map();
  for (const t of topics) {
    fs.mkdirSync(path.join(args.out, t.name), { recursive: true });
    for (const p of t.partitions) {
      const file = path.join(t.name, `${p.partition}.ndjson.gz`);
      const gzip = zlib.createGzip();
      const done = new Promise((resolve, reject) => {
        const sink = fs.createWriteStream(path.join(args.out, file));
        sink.on('finish', resolve).on('error', reject);
        gzip.on('error', reject).pipe(sink);
      });
      files.set(tpKey(t.topic, p.partition), { file, gzip, done, hash: crypto.createHash('sha256'), records: 0, first: null, last: null, p });
    }
  }

  const started = Date.now();
  const total = topics.reduce((n, t) => n + t.partitions.reduce((m, p) => m + Number(BigInt(p.high) - BigInt(p.low)), 0), 0);
  log(`dumping ${topics.length} topics (${total} records at most) from ${brokersFromEnv().join(',')} prefix '${prefix}' into ${args.out}`);
  let seen = 0;
  await readPartitions(
    kafka,
    topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, from: p.low, until: p.high }))),
    async (topic, partition, message) => {
      const f = files.get(tpKey(topic, partition));
      const line = recordLine(message);
      f.hash.update(line);
      await write(f.gzip, line);
      f.records++;
      if (f.first === null) f.first = message.offset;
      f.last = message.offset;
      if (++seen % 50000 === 0) log(`${seen} records…`);
    },
    { groupPrefix: 'backup-dump' },
  );
  for (const f of files.values()) f.gzip.end();
  await Promise.all([...files.values()].map((f) => f.done));

  const manifest = {
    format: 'consultation-kafka-dump/1',
    createdAt: new Date().toISOString(),
    brokers: brokersFromEnv(),
    topicPrefix: prefix,
    topics: topics.map((t) => ({
      ...t,
      partitions: t.partitions.map((p) => {
        const f = files.get(tpKey(t.topic, p.partition));
        // Offsets are dense from `low` unless the log has gaps (transactions' markers, compaction):
        // then a restore renumbers them, and checkpoints of the originals no longer apply.
        const dense = BigInt(f.records) === BigInt(p.high) - BigInt(p.low);
        return { ...p, records: f.records, first: f.first, last: f.last, dense, file: f.file, sha256: f.hash.digest('hex') };
      }),
    })),
  };
  fs.writeFileSync(path.join(args.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const records = manifest.topics.reduce((n, t) => n + t.partitions.reduce((m, p) => m + p.records, 0), 0);
  log(`${records} records of ${topics.length} topics dumped in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  for (const t of manifest.topics) {
    log(`  ${t.topic}: ${t.partitions.length} partitions, ${t.partitions.reduce((m, p) => m + p.records, 0)} records`);
  }
}

runMain('kafka-dump', main);
