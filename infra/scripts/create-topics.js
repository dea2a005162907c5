#!/usr/bin/env node
/*
 * Creates the Kafka topics of infra/kafka/topics.json (explicit partition counts, unlimited
 * retention). Plain CommonJS on purpose: it runs before anything is built (infra/bin/topics) and in
 * the compose 'topics' one-shot service.
 *
 * Environment:
 *   KAFKA_BROKERS             comma-separated host:port list (default $KAFKA_HOST:$KAFKA_PORT, else 127.0.0.1:9092)
 *   TOPIC_PREFIX              prefix of every topic name (default empty)
 *   KAFKA_REPLICATION_FACTOR  replication factor of new topics (default 1)
 *   KAFKA_MIN_INSYNC_REPLICAS overrides min.insync.replicas of the spec (production: 2 with 3 brokers)
 *   TOPICS_FILE               spec file (default infra/kafka/topics.json)
 *   TOPICS_TIMEOUT_MS         how long to wait for the broker (default 60000)
 *   TOPICS_ALLOW_REPARTITION  =1 to add partitions to a topic that already holds records (see below)
 *
 * Existing topics are left alone, except that a topic with fewer partitions than its spec gets
 * partitions added while it holds no record. Adding partitions to a topic with records moves keys
 * to other partitions, so later events of a key could be read before earlier ones (per-key order
 * is what the projector relies on); it is then only reported, unless TOPICS_ALLOW_REPARTITION=1.
 * Fewer partitions than the spec is correct, just less parallel.
 *
 * Exit code: 0 when every topic exists with at least its partitions (or was reported as above),
 * 1 on any error.
 */
'use strict';

const fs = require('fs');
const path = require('path');

const DEFAULT_SPEC_FILE = path.join(__dirname, '..', 'kafka', 'topics.json');

/** Reads and validates the spec file: [{ name, partitions, configs: {k: string} }] (unprefixed). */
function loadTopicSpecs(file = process.env.TOPICS_FILE || DEFAULT_SPEC_FILE) {
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(spec.topics) || spec.topics.length === 0) throw new Error(`${file}: no "topics"`);
  const seen = new Set();
  return spec.topics.map((t) => {
    if (typeof t.name !== 'string' || !/^[a-zA-Z0-9._-]+$/.test(t.name)) throw new Error(`${file}: bad topic name ${JSON.stringify(t.name)}`);
    if (!Number.isInteger(t.partitions) || t.partitions < 1) throw new Error(`${file}: ${t.name}: bad partition count`);
    if (seen.has(t.name)) throw new Error(`${file}: ${t.name} appears twice`);
    seen.add(t.name);
    const configs = { ...(spec.configs || {}), ...(t.configs || {}) };
    for (const [k, v] of Object.entries(configs)) configs[k] = String(v);
    return { name: t.name, partitions: t.partitions, role: t.role, configs };
  });
}

const log = (msg) => console.log(`[topics] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

async function connectAdmin(kafka, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return admin;
    } catch (err) {
      lastError = err;
      await admin.disconnect().catch(() => {});
    }
    if (Date.now() >= deadline) {
      throw new Error(`broker not reachable after ${timeoutMs} ms: ${lastError && lastError.message}`);
    }
    await sleep(500);
  }
}

async function main() {
  const { Kafka, logLevel, ConfigResourceTypes } = require('kafkajs');
  const brokers = (process.env.KAFKA_BROKERS || `${process.env.KAFKA_HOST || '127.0.0.1'}:${process.env.KAFKA_PORT || '9092'}`)
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const prefix = process.env.TOPIC_PREFIX || '';
  const replicationFactor = positiveInt('KAFKA_REPLICATION_FACTOR', 1);
  const minIsr = positiveInt('KAFKA_MIN_INSYNC_REPLICAS', undefined);
  const timeoutMs = positiveInt('TOPICS_TIMEOUT_MS', 60000);
  const allowRepartition = process.env.TOPICS_ALLOW_REPARTITION === '1';

  const specs = loadTopicSpecs().map((s) => ({
    ...s,
    topic: `${prefix}${s.name}`,
    configs: minIsr === undefined ? s.configs : { ...s.configs, 'min.insync.replicas': String(minIsr) },
  }));

  const kafka = new Kafka({
    clientId: 'create-topics',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 5, initialRetryTime: 300 },
  });
  const admin = await connectAdmin(kafka, timeoutMs);
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    const present = specs.filter((s) => existing.has(s.topic));

    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.topic,
            numPartitions: s.partitions,
            replicationFactor,
            configEntries: Object.entries(s.configs).map(([name, value]) => ({ name, value })),
          })),
        });
      } catch (err) {
        // Another run may have created some of them meanwhile: only fail if one is still missing.
        const now = new Set(await admin.listTopics());
        const still = missing.filter((s) => !now.has(s.topic));
        if (still.length > 0) throw new Error(`creating ${still.map((s) => s.topic).join(', ')}: ${err.message}`);
      }
      for (const s of missing) log(`created ${s.topic} (${s.partitions} partitions, replication factor ${replicationFactor})`);
    }

    let warnings = 0;
    if (present.length > 0) {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
      const partitionsOf = new Map(metadata.map((t) => [t.name, t.partitions.length]));
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: present.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.topic })),
      });
      const configsOf = new Map(
        described.resources.map((r) => [r.resourceName, new Map(r.configEntries.map((e) => [e.configName, e.configValue]))]),
      );
      for (const s of present) {
        const count = partitionsOf.get(s.topic);
        const drift = Object.entries(s.configs)
          .filter(([k, v]) => configsOf.get(s.topic) && configsOf.get(s.topic).get(k) !== v)
          .map(([k, v]) => `${k}=${configsOf.get(s.topic).get(k)} (spec ${v})`);
        if (drift.length > 0) {
          warnings++;
          log(`WARNING: ${s.topic} exists with other configs, left alone: ${drift.join(', ')}`);
        }
        if (count >= s.partitions) {
          log(`exists ${s.topic} (${count} partitions${count > s.partitions ? `, spec ${s.partitions}` : ''})`);
          continue;
        }
        const offsets = await admin.fetchTopicOffsets(s.topic);
        const hasRecords = offsets.some((o) => BigInt(o.high) > 0n);
        if (hasRecords && !allowRepartition) {
          warnings++;
          log(
            `WARNING: ${s.topic} has ${count} partitions < spec ${s.partitions} and holds records: not repartitioned ` +
              '(adding partitions would move keys and break per-key order; TOPICS_ALLOW_REPARTITION=1 forces it)',
          );
          continue;
        }
        await admin.createPartitions({ topicPartitions: [{ topic: s.topic, count: s.partitions }] });
        log(`${s.topic} had ${count} partitions < spec ${s.partitions}: increased to ${s.partitions}`);
      }
    }
    log(
      `${specs.length} topics on ${brokers.join(',')}: ${missing.length} created, ${present.length} already there` +
        (warnings > 0 ? `, ${warnings} warning(s)` : ''),
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

module.exports = { loadTopicSpecs, DEFAULT_SPEC_FILE };

if (require.main === module) {
  main().catch((err) => {
    console.error(`[topics] ERROR: ${err && err.message ? err.message : err}`);
    process.exit(1);
  });
}
