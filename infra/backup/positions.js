#!/usr/bin/env node
'use strict';
/*
 * Prints the checkpoints of the two projections (Postgres readmodel.projection_offsets, Redis
 * <prefix>:offsets) as JSON and, with --expect, compares them with the positions a Kafka dump
 * holds (every non-empty event partition at its high watermark).
 *
 *   node infra/backup/positions.js [--db URL --schema readmodel] [--redis URL --redis-prefix P]
 *        [--expect DUMP_DIR/manifest.json [--topic-prefix P] [--wait SECONDS]]
 *
 * Exit code with --expect: 0 both projections are exactly at the dump's positions; 3 not (yet):
 * "behind" (still applying, --wait polls) or "ahead" (they applied events the dump does not hold).
 */
const fs = require('fs');
const { dumpPositions, logger, parseArgs, positionDiff, postgresCheckpoint, redisCheckpoint, runMain } = require('./lib');

const USAGE = 'usage: positions.js [--db URL --schema S] [--redis URL --redis-prefix P] [--expect manifest.json [--topic-prefix P] [--wait SECONDS]]';
const log = logger('positions');

async function read(args) {
  const out = {};
  if (args.db) out.postgres = await postgresCheckpoint(args.db, args.schema || 'readmodel');
  if (args.redis) out.redis = await redisCheckpoint(args.redis, args['redis-prefix'] || 'consultation:rm');
  return out;
}

/** 'equal', 'behind' (some partition below, none above) or 'ahead' (some partition above). */
const compare = (expected, actual) => {
  const diff = positionDiff(expected, actual);
  if (diff.length === 0) return { state: 'equal', diff };
  return { state: diff.some((d) => BigInt(d.actual) > BigInt(d.expected)) ? 'ahead' : 'behind', diff };
};

async function main() {
  const args = parseArgs(process.argv.slice(2), { db: 'string', schema: 'string', redis: 'string', 'redis-prefix': 'string', expect: 'string', 'topic-prefix': 'string', wait: 'int' }, USAGE);
  if (!args.db && !args.redis) throw new Error(USAGE);
  if (!args.expect) {
    process.stdout.write(`${JSON.stringify(await read(args), null, 2)}\n`);
    return 0;
  }
  const manifest = JSON.parse(fs.readFileSync(args.expect, 'utf8'));
  const expected = dumpPositions(manifest, args['topic-prefix'] ?? manifest.topicPrefix);
  const deadline = Date.now() + 1000 * (args.wait || 0);
  for (;;) {
    const actual = await read(args);
    const results = Object.fromEntries(Object.entries(actual).map(([projection, positions]) => [projection, compare(expected, positions)]));
    const states = Object.values(results).map((r) => r.state);
    const done = states.every((s) => s === 'equal');
    if (done || states.includes('ahead') || Date.now() >= deadline) {
      process.stdout.write(`${JSON.stringify({ expected, actual, results: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { state: r.state, differences: r.diff.slice(0, 20) }])) }, null, 2)}\n`);
      for (const [projection, r] of Object.entries(results)) {
        log(`${projection}: ${r.state}${r.diff.length ? ` (${r.diff.length} partitions differ, e.g. ${r.diff.slice(0, 3).map((d) => `${d.partition} ${d.actual} vs ${d.expected}`).join(', ')})` : ''}`);
      }
      return done ? 0 : 3;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

runMain('positions', main);
