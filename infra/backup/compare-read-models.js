#!/usr/bin/env node
'use strict';
/*
 * Compares two copies of the read models, row by row and key by key: the originals ("expected")
 * and a rebuild ("actual").
 *   - Postgres: every table of the read-model schema (and, with --keystore, keystore.participant_keys),
 *     streamed from both databases in the same order (row text, byte order) and merged, so memory
 *     stays flat whatever the size; the checkpoint table is compared like any other.
 *   - Redis: every key of the live generation of the projection prefix (counters, tallies, votes,
 *     proposal states, sets, checkpoint), compared by type and content, prefix stripped.
 *
 *   node infra/backup/compare-read-models.js --expected-db URL --actual-db URL [--schema readmodel] [--keystore]
 *        [--expected-redis URL --expected-redis-prefix P --actual-redis URL --actual-redis-prefix P] [--max-diffs N]
 *
 * Prints one line per table / key kind and a JSON summary (last line). Exit 0 identical, 1 not.
 */
const { livePrefix, logger, parseArgs, pointerKey, runMain } = require('./lib');

const USAGE =
  'usage: compare-read-models.js --expected-db URL --actual-db URL [--schema S] [--keystore] ' +
  '[--expected-redis URL --expected-redis-prefix P --actual-redis URL --actual-redis-prefix P] [--max-diffs N]';
const log = logger('compare');
const FETCH_ROWS = 2000;

/** Same text rendering of values on both sides, whatever the servers' defaults. */
const SESSION_SETTINGS = "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'";

async function connect(url) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(SESSION_SETTINGS);
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  return client;
}

const tablesOf = async (client, schema) =>
  (await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1", [schema])).rows.map(
    (r) => r.table_name,
  );

const quote = (identifier) => `"${identifier.replace(/"/g, '""')}"`;

/** Rows of a table as text, sorted by bytes (COLLATE "C", the order Buffer.compare uses), fetched in chunks. */
async function* rowsOf(client, cursor, table) {
  await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT t::text AS r FROM ${table} t ORDER BY (t::text) COLLATE "C"`);
  for (;;) {
    const { rows } = await client.query(`FETCH ${FETCH_ROWS} FROM ${cursor}`);
    if (rows.length === 0) break;
    for (const row of rows) yield row.r;
  }
  await client.query(`CLOSE ${cursor}`);
}

/** Merge of two sorted streams: counts and first examples of rows only on one side. */
async function compareSorted(expected, actual, maxDiffs) {
  const result = { expected: 0, actual: 0, onlyExpected: 0, onlyActual: 0, examples: [] };
  const next = async (it) => {
    const n = await it.next();
    return n.done ? null : n.value;
  };
  let a = await next(expected);
  let b = await next(actual);
  while (a !== null || b !== null) {
    const order = a === null ? 1 : b === null ? -1 : Buffer.compare(Buffer.from(a), Buffer.from(b));
    if (order === 0) {
      result.expected++;
      result.actual++;
      a = await next(expected);
      b = await next(actual);
    } else if (order < 0) {
      result.expected++;
      result.onlyExpected++;
      if (result.examples.length < maxDiffs) result.examples.push(`- ${a}`);
      a = await next(expected);
    } else {
      result.actual++;
      result.onlyActual++;
      if (result.examples.length < maxDiffs) result.examples.push(`+ ${b}`);
      b = await next(actual);
    }
  }
  return result;
}

async function comparePostgres(args, report) {
  const schema = args.schema || 'readmodel';
  const [expected, actual] = [await connect(args['expected-db']), await connect(args['actual-db'])];
  try {
    const [te, ta] = [await tablesOf(expected, schema), await tablesOf(actual, schema)];
    const missing = te.filter((t) => !ta.includes(t));
    const extra = ta.filter((t) => !te.includes(t));
    if (missing.length || extra.length) report.fail(`${schema}: tables differ (only in expected: ${missing.join(', ') || '-'}; only in actual: ${extra.join(', ') || '-'})`);
    const tables = te.filter((t) => ta.includes(t)).map((t) => `${quote(schema)}.${quote(t)}`);
    if (args.keystore) tables.push('keystore.participant_keys');
    if (tables.length === 0) report.fail(`${schema}: no table to compare`);
    for (const [i, table] of tables.entries()) {
      const r = await compareSorted(rowsOf(expected, `e${i}`, table), rowsOf(actual, `a${i}`, table), args['max-diffs'] ?? 5);
      const name = table.replace(/"/g, '');
      report.tables[name] = { rows: r.expected, identical: r.onlyExpected === 0 && r.onlyActual === 0 };
      if (report.tables[name].identical) log(`${name}: ${r.expected} rows, identical`);
      else {
        report.fail(`${name}: DIFFERENT (${r.expected} rows expected, ${r.actual} actual; ${r.onlyExpected} only in expected, ${r.onlyActual} only in actual)`);
        for (const line of r.examples) log(`    ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
      }
    }
  } finally {
    await Promise.allSettled([expected.end(), actual.end()]);
  }
}

/** All keys under `${prefix}:`, as suffixes (prefix stripped), sorted; the generation pointer is no projection data. */
async function keysOf(redis, prefix, base) {
  const pattern = `${prefix.replace(/[\\*?[\]]/g, '\\$&')}:*`;
  const pointer = pointerKey(base);
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) if (key !== pointer) keys.push(key.slice(prefix.length + 1));
  } while (cursor !== '0');
  return [...new Set(keys)].sort();
}

/** A canonical text of each key's content (type-aware, order-independent where Redis is). */
async function contents(redis, prefix, suffixes) {
  const out = new Map();
  for (let i = 0; i < suffixes.length; i += 200) {
    const chunk = suffixes.slice(i, i + 200);
    const types = await chunk.reduce((p, s) => p.type(`${prefix}:${s}`), redis.pipeline()).exec();
    const reads = redis.pipeline();
    chunk.forEach((s, j) => {
      const key = `${prefix}:${s}`;
      const type = types[j][1];
      if (type === 'hash') reads.hgetall(key);
      else if (type === 'set') reads.smembers(key);
      else if (type === 'zset') reads.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'list') reads.lrange(key, 0, -1);
      else if (type === 'string') reads.get(key);
      else reads.type(key);
    });
    const values = await reads.exec();
    chunk.forEach((s, j) => {
      const type = types[j][1];
      const value = values[j][1];
      const canonical =
        type === 'hash' ? Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)) : type === 'set' ? [...value].sort() : value;
      out.set(s, `${type}:${JSON.stringify(canonical)}`);
    });
  }
  return out;
}

async function compareRedis(args, report) {
  const Redis = require('ioredis');
  const open = async (url) => {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await r.connect();
    return r;
  };
  const [expected, actual] = [await open(args['expected-redis']), await open(args['actual-redis'])];
  try {
    const pe = await livePrefix(expected, args['expected-redis-prefix']);
    const pa = await livePrefix(actual, args['actual-redis-prefix']);
    const [ke, ka] = [await keysOf(expected, pe, args['expected-redis-prefix']), await keysOf(actual, pa, args['actual-redis-prefix'])];
    const [se, sa] = [new Set(ke), new Set(ka)];
    const inBoth = ke.filter((k) => sa.has(k));
    const onlyExpected = ke.filter((k) => !sa.has(k));
    const onlyActual = ka.filter((k) => !se.has(k));
    const [ce, ca] = [await contents(expected, pe, inBoth), await contents(actual, pa, inBoth)];
    const kinds = {};
    for (const k of ke.concat(onlyActual)) {
      const kind = k.split(':')[0];
      kinds[kind] ??= { keys: 0, different: 0 };
      kinds[kind].keys++;
    }
    const different = inBoth.filter((k) => ce.get(k) !== ca.get(k));
    for (const k of [...different, ...onlyExpected, ...onlyActual]) kinds[k.split(':')[0]].different++;
    for (const [kind, n] of Object.entries(kinds).sort()) {
      report.redis[kind] = { keys: n.keys, identical: n.different === 0 };
      if (n.different === 0) log(`redis ${kind}: ${n.keys} keys, identical`);
      else report.fail(`redis ${kind}: DIFFERENT (${n.different} of ${n.keys} keys)`);
    }
    if (ke.length === 0) report.fail(`redis: no key under ${pe}: (wrong prefix?)`);
    const max = args['max-diffs'] ?? 5;
    for (const k of onlyExpected.slice(0, max)) log(`    - ${pe}:${k} (missing from the rebuild)`);
    for (const k of onlyActual.slice(0, max)) log(`    + ${pa}:${k} (not in the originals)`);
    for (const k of different.slice(0, max)) log(`    ≠ ${k}: expected ${ce.get(k).slice(0, 200)} actual ${ca.get(k).slice(0, 200)}`);
  } finally {
    expected.disconnect();
    actual.disconnect();
  }
}

async function main() {
  const args = parseArgs(
    process.argv.slice(2),
    {
      'expected-db': 'string',
      'actual-db': 'string',
      schema: 'string',
      keystore: 'flag',
      'expected-redis': 'string',
      'expected-redis-prefix': 'string',
      'actual-redis': 'string',
      'actual-redis-prefix': 'string',
      'max-diffs': 'int',
    },
    USAGE,
  );
  if (!args['expected-db'] || !args['actual-db']) throw new Error(USAGE);
  const failures = [];
  const report = {
    tables: {},
    redis: {},
    fail: (message) => {
      failures.push(message);
      log(message);
    },
  };
  await comparePostgres(args, report);
  if (args['expected-redis'] || args['actual-redis']) {
    if (!args['expected-redis'] || !args['actual-redis'] || !args['expected-redis-prefix'] || !args['actual-redis-prefix']) throw new Error(USAGE);
    await compareRedis(args, report);
  }
  const identical = failures.length === 0;
  process.stdout.write(`${JSON.stringify({ identical, tables: report.tables, redis: report.redis, failures })}\n`);
  return identical ? 0 : 1;
}

runMain('compare', main);
