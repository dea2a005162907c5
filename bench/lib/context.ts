/**
 * What every stage of `npm run bench` shares: the run's resources (topics, database, Redis
 * prefix, clients), the child processes, the CPU probes, and how the apps are started from the
 * build (with the CPU profiler preloaded when --profile).
 */
import { readFileSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { formatSummary, summarise } from '../profile-summary';
import { StreamResult } from '../loadgen';
import { CpuProbe, pidsMatching } from './cpu';
import { visibilityLag } from './lag';
import { BenchOptions } from './options';
import { App, Helper, ROOT, freePort, startApp } from './procs';
import { Database, MODERATOR_TOKEN, ProjectionProbe, TOKEN_SECRET, Topics, brokers, redisUrl } from './stack';

export const RESULTS_DIR = join(ROOT, 'bench', '.results');
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const log = (message: string): void => {
  writeSync(2, `[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

/** One measured load run with the CPU of every process and the state of the machine. */
export interface LoadRun {
  readonly name: string;
  readonly streams: StreamResult[];
  readonly passed: boolean;
  /** CPU seconds per process group during the run. */
  readonly cpuSeconds: Record<string, number>;
  /** CPU seconds per 1,000 successful requests of the first stream. */
  readonly cpuPer1000: Record<string, number>;
  readonly machineBusyCores: number;
  /** Busy cores not explained by the processes measured (other people's tests). */
  readonly foreignCores: number;
  readonly loadAverage: { readonly start: number[]; readonly end: number[] };
  readonly wallS: number;
  /** Other processes' CPU just before the run, and how long the bench waited for it to drop. */
  readonly gate: { foreignCores: number; waitedMs: number };
  readonly repeated?: boolean;
  appender?: { batches: number; messages: number; meanBatch: number };
  catchUp?: { ms: number; caughtUp: boolean; remaining: number };
  lag?: {
    postgresMs: ReturnType<typeof visibilityLag>;
    redisMs: ReturnType<typeof visibilityLag>;
    maxBacklog: { postgres: number; redis: number };
    samples: number;
  };
}

export interface Ctx {
  readonly opts: BenchOptions;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly redis: Redis;
  readonly topics: Topics;
  readonly db: Database;
  readonly pg: Client;
  readonly probe: ProjectionProbe;
  readonly redisPrefix: string;
  readonly projectionPrefix: string;
  readonly groupId: string;
  readonly proposals: string[];
  loadgen: Helper;
  producer?: Helper;
  ingest?: App;
  projector?: App;
  query?: App;
  bareHttp?: App;
  readonly results: Record<string, unknown>;
}

const profileDir = join(RESULTS_DIR, 'profiles');

const nodeArgs = (ctx: Ctx): string[] =>
  ctx.opts.profile ? ['-r', join(ROOT, 'bench', 'lib', 'cpu-profiler.js')] : [];

const profileEnv = (name: string): Record<string, string> => ({ BENCH_PROFILE_DIR: profileDir, BENCH_PROFILE_NAME: `${name}-${Date.now()}` });

export const cpuProbes = (ctx: Ctx, dbName: () => string = () => ctx.db.name): CpuProbe[] => [
  { name: 'ingest', pids: () => (ctx.ingest ? [ctx.ingest.pid] : []) },
  { name: 'projector', pids: () => (ctx.projector ? [ctx.projector.pid] : []) },
  { name: 'query', pids: () => (ctx.query ? [ctx.query.pid] : []) },
  { name: 'bare-http', pids: () => (ctx.bareHttp ? [ctx.bareHttp.pid] : []) },
  { name: 'loadgen', pids: () => [ctx.loadgen.pid] },
  { name: 'bare-producer', pids: () => (ctx.producer ? [ctx.producer.pid] : []) },
  { name: 'kafka', pids: () => pidsMatching('kafka.Kafka') },
  { name: 'postgres', pids: () => pidsMatching('postgres: ', ` ${dbName()} `) },
  {
    name: 'postgres-shared',
    pids: () => [
      ...pidsMatching('postgres: ', 'walwriter'),
      ...pidsMatching('postgres: ', 'checkpointer'),
      ...pidsMatching('postgres: ', 'background writer'),
      ...pidsMatching('postgres: ', 'autovacuum'),
    ],
  },
  { name: 'redis', pids: () => pidsMatching('redis-server') },
];

export const ingestEnv = (ctx: Ctx): Record<string, string> => ({
  KAFKA_BROKERS: brokers().join(','),
  TOPIC_PREFIX: ctx.topics.prefix,
  DATABASE_URL: ctx.db.url,
  REDIS_URL: redisUrl(),
  REDIS_PREFIX: ctx.redisPrefix,
  REDIS_PROJECTION_PREFIX: ctx.projectionPrefix,
  TOKEN_SECRET,
  MODERATOR_TOKENS: `bench:${MODERATOR_TOKEN}`,
  LOG_LEVEL: 'warn',
  // Every bench request comes from 127.0.0.1: limits that never refuse, but still counted, so the
  // write gate's Redis round trip stays part of the measured vote path (docs/security.md).
  RATE_LIMIT_PARTICIPANT: '999999999/1h',
  RATE_LIMIT_ADDRESS: '999999999/1h',
  RATE_LIMIT_REGISTRATION: '999999999/1h',
});

export const startIngest = async (ctx: Ctx): Promise<void> => {
  ctx.ingest = await startApp('ingest', `${ctx.opts.ingestDist}/apps/ingest-api/src/main.js`, { ...ingestEnv(ctx), ...profileEnv('ingest') }, {
    port: await freePort(),
    nodeArgs: nodeArgs(ctx),
  });
};

export const startProjector = async (ctx: Ctx): Promise<void> => {
  ctx.projector = await startApp(
    'projector',
    `${ctx.opts.dist}/apps/projector/src/main.js`,
    { ...ingestEnv(ctx), PROJECTOR_GROUP_ID: ctx.groupId, ...profileEnv('projector') },
    { port: await freePort(), nodeArgs: nodeArgs(ctx) },
  );
};

export const startQuery = async (ctx: Ctx): Promise<void> => {
  ctx.query = await startApp('query', `${ctx.opts.dist}/apps/query-api/src/main.js`, ingestEnv(ctx), { port: await freePort() });
};

/** Toggles the preloaded profiler of a child (bench/lib/cpu-profiler.js); returns the file written on stop. */
export const toggleProfile = async (app: App | undefined, stop: boolean): Promise<string | undefined> => {
  if (!app) return undefined;
  const before = new Set(readdirSafe(profileDir));
  process.kill(app.pid, 'SIGWINCH');
  if (!stop) return undefined;
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    const fresh = readdirSafe(profileDir).filter((f) => !before.has(f) && f.startsWith(app.name));
    if (fresh.length > 0) return join(profileDir, fresh[0]);
  }
  return undefined;
};

const readdirSafe = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

export const profileReport = (file: string | undefined): { file: string; summary: ReturnType<typeof summarise> } | undefined => {
  if (!file) return undefined;
  const summary = summarise(JSON.parse(readFileSync(file, 'utf8')), 40);
  log(`profile ${file}\n${formatSummary(summary)}`);
  return { file, summary };
};
