import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { readLog } from '@app/kafka';
import type Redis from 'ioredis';
import { Kafka } from 'kafkajs';
import type { ClientBase, Pool } from 'pg';
import { PositionedEvent } from '../src/projection/projection-batch';
import { tableNames } from '../src/rebuild/pg-schema';
import { generationKeys } from '../src/rebuild/redis-generation';

/** Helpers of the projector's process-level tests (crash, rebuild). */

export const REPO = resolve(__dirname, '../../..');

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'test' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });

/**
 * `npm run -s build` when dist is missing or older than a source file, so a spawned process runs
 * the code under test, not a stale build.
 */
export const ensureBuilt = (): void => {
  const stale = [join(REPO, 'apps/projector/src'), join(REPO, 'libs')]
    .flatMap(sources)
    .some((source) => {
      const built = join(REPO, 'dist', relative(REPO, source)).replace(/\.ts$/, '.js');
      return !existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs;
    });
  if (stale) execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'inherit' });
};

export const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });

export interface NodeProcess {
  readonly child: ChildProcess;
  /** Everything written so far (stdout and stderr interleaved, last 400 lines). */
  output(): string;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `node <script> …args` from the repository root with exactly `env` (plus PATH). */
export const spawnNode = (script: string, args: readonly string[], env: Record<string, string>): NodeProcess => {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 400));
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 400));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output: () => lines.join('\n'), stdout: () => out, stderr: () => err, exited };
};

/** Every record of the topics, decoded, with its real position: what a recount must be made from. */
export const readTopics = async (kafka: Kafka, topics: readonly string[]): Promise<PositionedEvent[]> => {
  const records: PositionedEvent[] = [];
  const reader = readLog(kafka, topics, (decoded, record) => {
    if (decoded.ok) records.push({ topic: record.topic, partition: record.partition, offset: record.offset, event: decoded.event });
  });
  await reader.done;
  return records;
};

/** The records below the given next offsets ("topic:partition" → next offset; absent = none). */
export const recordsBelow = (records: readonly PositionedEvent[], positions: Readonly<Record<string, string>>): PositionedEvent[] =>
  records.filter((r) => BigInt(r.offset) < BigInt(positions[`${r.topic}:${r.partition}`] ?? '0'));

/** The high watermark of every partition of the topics ("topic:partition" → next offset), empty ones left out. */
export const highWatermarks = async (kafka: Kafka, topics: readonly string[]): Promise<Record<string, string>> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out: Record<string, string> = {};
    for (const topic of topics) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) if (high !== '0') out[`${topic}:${partition}`] = high;
    }
    return out;
  } finally {
    await admin.disconnect();
  }
};

/** A Postgres projection's checkpoint as a plain object. */
export const pgOffsets = async (db: Pool | ClientBase, schema = 'readmodel', projection = 'postgres'): Promise<Record<string, string>> => {
  const rows = await db.query<{ k: string; n: string }>(
    `SELECT topic || ':' || partition AS k, next_offset::text AS n FROM ${schema}.projection_offsets WHERE projection = $1 AND next_offset > 0`,
    [projection],
  );
  return Object.fromEntries(rows.rows.map((r) => [r.k, r.n]));
};

export const redisOffsetsOf = async (redis: Redis, prefix: string): Promise<Record<string, string>> =>
  Object.fromEntries(Object.entries(await redis.hgetall(`${prefix}:offsets`)).filter(([, v]) => v !== '0'));

/** Every row of every table of a schema, as sorted JSON texts: two equal dumps are identical tables. */
export const dumpSchema = async (pool: Pool, schema: string): Promise<Record<string, string[]>> => {
  const client = await pool.connect();
  try {
    const out: Record<string, string[]> = {};
    for (const table of await tableNames(client, schema)) {
      const rows = await client.query<{ r: string }>(`SELECT to_jsonb(t)::text AS r FROM ${schema}.${table} t ORDER BY 1`);
      out[table] = rows.rows.map((row) => row.r);
    }
    return out;
  } finally {
    client.release();
  }
};

/** Every key of a Redis generation (suffix after the prefix; not the pointer key) with its value, whatever its type. */
export const dumpRedis = async (redis: Redis, prefix: string): Promise<Record<string, unknown>> => {
  const out: Record<string, unknown> = {};
  for await (const keys of generationKeys(redis, prefix)) {
    for (const key of keys) {
      const type = await redis.type(key);
      const suffix = key.slice(prefix.length);
      if (type === 'hash') out[suffix] = await redis.hgetall(key);
      else if (type === 'set') out[suffix] = (await redis.smembers(key)).sort();
      else if (type === 'zset') out[suffix] = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'string') out[suffix] = await redis.get(key);
      else out[suffix] = `<${type}>`;
    }
  }
  return out;
};

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
