#!/usr/bin/env node
'use strict';
/*
 * Replays dead letters (docs/operations.md, "Replay dead letters"). The projector sends a record
 * it cannot decode, untouched, to `${TOPIC_PREFIX}dead-letters` (headers dead-letter-reason,
 * source-topic, source-partition, source-offset) and moves on. Once a fix or an upcaster is
 * deployed, this command:
 *   1. reads every dead letter and decodes it again with the deployed decoder (libs/events);
 *   2. re-publishes each one that now decodes to its source topic and partition, with its original
 *      key and bytes (the stored version: consumers upcast it) and the contract headers, plus
 *      `replayed-from`; the projector then applies it like any new event;
 *   3. writes a marker record to the dead-letter topic (header `dead-letter-replayed`), so a
 *      second run replays nothing twice; a letter the projector sent twice is replayed once;
 *   4. reports the rest: still undecodable (with the reason), or "superseded".
 * Superseded: the source partition holds LATER records with the same key. A replayed record lands
 * after them, and the projector applies records of a key in log order, so an old vote would
 * override a newer one, and moderation of a proposal whose submission was dead-lettered has been
 * ignored. These are reported and left alone unless --include-superseded (decide case by case:
 * docs/operations.md).
 *
 *   node infra/dead-letters/replay-dead-letters.js [--apply] [--include-superseded] [--decoder source|dist]
 * Without --apply nothing is written (dry run). --decoder: libs/events from the sources (through
 * @swc-node/register; default when installed) or from dist/ (`npm run build`; the app image).
 * Env: KAFKA_BROKERS, TOPIC_PREFIX.
 * Exit: 0 nothing left to replay; 2 some letters remain (undecodable or superseded); 1 error.
 */
const path = require('path');
const { createKafka, brokersFromEnv, logger, parseArgs, readPartitions, runMain, tpKey } = require('../backup/lib');

const USAGE = 'usage: replay-dead-letters.js [--apply] [--include-superseded] [--decoder source|dist]   (env KAFKA_BROKERS, TOPIC_PREFIX)';
const log = logger('replay-dead-letters');
const ROOT = path.join(__dirname, '..', '..');
const H = {
  reason: 'dead-letter-reason',
  topic: 'source-topic',
  partition: 'source-partition',
  offset: 'source-offset',
  replayed: 'dead-letter-replayed',
  replayedFrom: 'replayed-from',
};

function loadDecoder(kind) {
  const choice = kind || (canRequire('@swc-node/register') ? 'source' : 'dist');
  if (choice === 'source') {
    require('@swc-node/register');
    return { choice, events: require(path.join(ROOT, 'libs/events/src/index.ts')) };
  }
  if (choice === 'dist') return { choice, events: require(path.join(ROOT, 'dist/libs/events/src/index.js')) };
  throw new Error('--decoder must be source or dist');
}
function canRequire(name) {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

const header = (message, name) => {
  const v = message.headers && message.headers[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined || one === null ? undefined : Buffer.from(one).toString('utf8');
};
const keyText = (key) => (key === null ? '' : key.toString('base64'));

async function main() {
  const args = parseArgs(process.argv.slice(2), { apply: 'flag', 'include-superseded': 'flag', decoder: 'string' }, USAGE);
  const { choice, events } = loadDecoder(args.decoder);
  const prefix = process.env.TOPIC_PREFIX || '';
  const deadLetterTopic = events.physicalTopic(prefix, events.DEAD_LETTER_TOPIC);
  const logicalOf = new Map(events.TOPIC_NAMES.map((name) => [events.physicalTopic(prefix, name), name]));
  const kafka = createKafka('replay-dead-letters');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ranges = async (topic) => (await admin.fetchTopicOffsets(topic)).map((o) => ({ topic, partition: o.partition, from: o.low, until: o.high }));

    // 1. Every dead letter, grouped by the source position it came from; markers of earlier runs.
    const letters = new Map();
    const replayedPositions = new Set();
    await readPartitions(
      kafka,
      await ranges(deadLetterTopic),
      (topic, partition, message) => {
        const marker = header(message, H.replayed);
        if (marker) {
          replayedPositions.add(marker);
          return;
        }
        const source = { topic: header(message, H.topic), partition: Number(header(message, H.partition)), offset: header(message, H.offset) };
        const position = `${source.topic}:${source.partition}:${source.offset}`;
        if (!letters.has(position)) {
          letters.set(position, { position, source, at: `${tpKey(topic, partition)}:${message.offset}`, reason: header(message, H.reason), key: message.key, value: message.value });
        }
      },
      { groupPrefix: 'replay-dead-letters' },
    );
    log(`${letters.size} dead letter(s) in ${deadLetterTopic} (decoder: ${choice}); ${replayedPositions.size} replayed by an earlier run`);

    // 2. Decode again.
    const report = [];
    const candidates = [];
    for (const letter of letters.values()) {
      if (replayedPositions.has(letter.position)) {
        report.push({ ...letter, status: 'already replayed' });
        continue;
      }
      const logical = logicalOf.get(letter.source.topic);
      if (!logical) {
        report.push({ ...letter, status: `not replayable: source topic ${letter.source.topic} is not an event topic of prefix '${prefix}'` });
        continue;
      }
      const decoded = events.decodeEvent(letter.value);
      if (!decoded.ok) report.push({ ...letter, status: `still undecodable: ${decoded.reason}` });
      else if (events.topicOf(decoded.event.type) !== logical) report.push({ ...letter, status: `still refused: ${decoded.event.type} belongs on ${events.topicOf(decoded.event.type)}` });
      else candidates.push({ ...letter, raw: JSON.parse(letter.value.toString('utf8')) });
    }

    // 3. Later records of the same key in the source partition (and copies an interrupted run appended).
    const byPartition = new Map();
    for (const c of candidates) {
      const k = tpKey(c.source.topic, c.source.partition);
      byPartition.set(k, [...(byPartition.get(k) || []), c]);
    }
    for (const list of byPartition.values()) {
      const { topic, partition } = list[0].source;
      const until = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition);
      if (!until) throw new Error(`${topic} has no partition ${partition}`);
      const from = list.reduce((m, c) => (BigInt(c.source.offset) < m ? BigInt(c.source.offset) : m), BigInt(until.high));
      const keys = new Map(list.map((c) => [keyText(c.key), c]));
      await readPartitions(
        kafka,
        [{ topic, partition, from: (from + 1n).toString(), until: until.high }],
        (_t, _p, message) => {
          const copyOf = header(message, H.replayedFrom);
          const same = keys.get(keyText(message.key));
          if (copyOf) {
            const c = list.find((x) => x.position === copyOf);
            if (c) c.copiedAt = message.offset;
          } else if (same && BigInt(message.offset) > BigInt(same.source.offset)) same.laterRecords = (same.laterRecords || 0) + 1;
        },
        { groupPrefix: 'replay-dead-letters' },
      );
    }

    // 4. Re-publish (with --apply), each followed by its marker.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    if (args.apply) await producer.connect();
    try {
      for (const c of candidates) {
        if (c.copiedAt !== undefined) {
          report.push({ ...c, status: `already replayed (copy at offset ${c.copiedAt} by an interrupted run${args.apply ? '; marker written' : ''})` });
          if (args.apply) await writeMarker(producer, deadLetterTopic, c, `${c.source.topic}:${c.source.partition}:${c.copiedAt}`);
          continue;
        }
        if (c.laterRecords && !args['include-superseded']) {
          report.push({ ...c, status: `superseded: ${c.laterRecords} later record(s) with the same key; left alone (--include-superseded to replay anyway)` });
          continue;
        }
        if (!args.apply) {
          report.push({ ...c, status: `would be replayed to ${c.source.topic}/${c.source.partition} (dry run)` });
          continue;
        }
        const [sent] = await producer.send({
          topic: c.source.topic,
          acks: -1,
          messages: [
            {
              partition: c.source.partition,
              key: c.key,
              value: c.value,
              headers: {
                'event-type': String(c.raw.type),
                'schema-version': String(c.raw.schemaVersion),
                'event-id': String(c.raw.eventId),
                'correlation-id': String((c.raw.meta && c.raw.meta.correlationId) || ''),
                [H.replayedFrom]: c.position,
              },
            },
          ],
        });
        await writeMarker(producer, deadLetterTopic, c, `${c.source.topic}:${c.source.partition}:${sent.baseOffset}`);
        report.push({ ...c, status: `replayed to ${c.source.topic}/${c.source.partition} at offset ${sent.baseOffset}` });
      }
    } finally {
      if (args.apply) await producer.disconnect();
    }

    for (const r of report) log(`  ${r.position} (dead letter ${r.at}): ${r.status}`);
    const remaining = report.filter((r) => r.status.startsWith('still') || r.status.startsWith('superseded') || r.status.startsWith('not replayable'));
    const replayed = report.filter((r) => r.status.startsWith('replayed'));
    const wouldBe = report.filter((r) => r.status.startsWith('would'));
    log(
      `${args.apply ? `${replayed.length} replayed` : `dry run: ${wouldBe.length} would be replayed (run again with --apply)`}, ` +
        `${report.filter((r) => r.status.startsWith('already')).length} already replayed, ${remaining.length} left (undecodable or superseded) on ${brokersFromEnv().join(',')}`,
    );
    process.stdout.write(`${JSON.stringify(report.map(({ position, at, reason, status }) => ({ position, deadLetter: at, reason, status })))}\n`);
    return remaining.length > 0 || wouldBe.length > 0 ? 2 : 0;
  } finally {
    await admin.disconnect();
  }
}

/** A marker in the dead-letter topic: this source position was replayed (to `to`). */
const writeMarker = (producer, deadLetterTopic, c, to) =>
  producer.send({
    topic: deadLetterTopic,
    acks: -1,
    messages: [{ key: `replayed:${c.position}`, value: null, headers: { [H.replayed]: c.position, 'replayed-to': to } }],
  });

runMain('replay-dead-letters', main);
