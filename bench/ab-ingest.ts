/**
 * A/B of the ingest alone (no projector): the same open-model vote load against two builds,
 * alternated, reporting the ingest's CPU per vote and latency. For hot-path changes:
 *
 *   node -r @swc-node/register bench/ab-ingest.ts --a bench/.results/dist-before --b dist [--rate 500] [--seconds 20] [--rounds 2]
 */
import { randomBytes } from 'node:crypto';
import { cpuSeconds, cpuSplit, loadAverage, machineCpu } from './lib/cpu';
import { consultationEvents, proposalId } from './lib/events';
import { forkHelper, freePort, scrapeAppender, startApp } from './lib/procs';
import { writeEvents } from './lib/produce';
import { MODERATOR_TOKEN, TOKEN_SECRET, brokers, createDatabase, createTopics, deleteRedisKeys, newKafka, redisUrl } from './lib/stack';
import { StreamResult } from './loadgen';
import Redis from 'ioredis';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatSummary, summarise } from './profile-summary';
import { ROOT } from './lib/procs';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

const main = async (): Promise<void> => {
  const builds = { A: arg('a', 'bench/.results/dist-before'), B: arg('b', 'dist') };
  // Extra node flags / environment for each side, e.g. --b-node-args "--max-semi-space-size=64" --b-env KAFKA_LINGER_MS=2
  const nodeArgs = { A: arg('a-node-args', '').split(' ').filter(Boolean), B: arg('b-node-args', '').split(' ').filter(Boolean) };
  const envOf = (side: string): Record<string, string> =>
    Object.fromEntries(arg(`${side}-env`, '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
  const rate = Number(arg('rate', '500'));
  const seconds = Number(arg('seconds', '20'));
  const rounds = Number(arg('rounds', '2'));
  const idempotencyKey = arg('idempotency-key', 'true') === 'true';
  /** CPU-profile side B's measured runs (bench/lib/cpu-profiler.js; summary printed). */
  const profile = process.argv.includes('--profile');
  const profileDir = join(ROOT, 'bench', '.results', 'profiles');
  process.env.BENCH_PROFILE_DIR = profileDir;
  const kafka = newKafka('ab');
  const topics = await createTopics(kafka, 'ab');
  const db = await createDatabase('ab');
  const redis = new Redis(redisUrl());
  const loadgen = await forkHelper('loadgen', 'bench/loadgen.ts');
  const proposals = Array.from({ length: 1000 }, (_, i) => proposalId(i));
  try {
    mkdirSync(profileDir, { recursive: true });
    await writeEvents(kafka, topics.prefix, consultationEvents(1000));
    await loadgen.request({ type: 'prepare', secret: TOKEN_SECRET, participants: 100_000 }, 'prepared');
    for (let round = 0; round < rounds; round++) {
      for (const [label, dist] of Object.entries(builds)) {
        const app = await startApp(
          'ingest',
          `${dist}/apps/ingest-api/src/main.js`,
          {
            KAFKA_BROKERS: brokers().join(','),
            TOPIC_PREFIX: topics.prefix,
            DATABASE_URL: db.url,
            REDIS_URL: redisUrl(),
            REDIS_PREFIX: `${topics.prefix}${randomBytes(2).toString('hex')}.`,
            TOKEN_SECRET,
            MODERATOR_TOKENS: `bench:${MODERATOR_TOKEN}`,
            LOG_LEVEL: 'warn',
            // The load comes from 127.0.0.1: limits that never refuse but are still counted (docs/security.md).
            RATE_LIMIT_PARTICIPANT: '999999999/1h',
            RATE_LIMIT_ADDRESS: '999999999/1h',
            RATE_LIMIT_REGISTRATION: '999999999/1h',
            ...envOf(label.toLowerCase()),
          },
          {
            port: await freePort(),
            nodeArgs: [...nodeArgs[label as 'A' | 'B'], ...(profile && label === 'B' ? ['-r', join(ROOT, 'bench/lib/cpu-profiler.js')] : [])],
          },
        );
        const spec = (r: number, s: number) => [
          { name: 'votes', port: app.port, rate: r, durationS: s, target: { kind: 'vote' as const, proposals, participants: 100_000, tokenSecret: TOKEN_SECRET, idempotencyKey, trackAcks: false } },
        ];
        await loadgen.request({ type: 'run', specs: spec(rate, 5) }); // warm-up
        const profiling = profile && label === 'B';
        if (profiling) process.kill(app.pid, 'SIGWINCH');
        const s0 = await scrapeAppender(app);
        const split0 = cpuSplit(app.pid) as { user: number; system: number };
        const c0 = cpuSeconds(app.pid) as number;
        const l0 = cpuSeconds(loadgen.pid) as number;
        const m0 = machineCpu();
        const { results } = await loadgen.request<{ results: StreamResult[] }>({ type: 'run', specs: spec(rate, seconds) });
        const c1 = cpuSeconds(app.pid) as number;
        const split1 = cpuSplit(app.pid) as { user: number; system: number };
        const l1 = cpuSeconds(loadgen.pid) as number;
        const m1 = machineCpu();
        const s1 = await scrapeAppender(app);
        if (profiling) {
          const before = new Set(readdirSync(profileDir));
          process.kill(app.pid, 'SIGWINCH');
          for (let i = 0; i < 100 && readdirSync(profileDir).every((f) => before.has(f)); i++) await new Promise((r) => setTimeout(r, 100));
          const file = readdirSync(profileDir).find((f) => !before.has(f));
          if (file) process.stdout.write(`${formatSummary(summarise(JSON.parse(readFileSync(join(profileDir, file), 'utf8')), 25))}\n(${join(profileDir, file)})\n`);
        }
        const r = results[0];
        const wall = r.elapsedS;
        const foreign = (m1.busy - m0.busy - (c1 - c0) - (l1 - l0)) / wall;
        process.stdout.write(
          `${label} round ${round + 1}: ${r.ok}/${r.scheduled} ok, ${r.errors} err, p50 ${r.latencyMs.p50.toFixed(1)} p99 ${r.latencyMs.p99.toFixed(1)} ms; ` +
            `ingest ${(((c1 - c0) * 1e6) / r.ok).toFixed(0)} µs/vote (user ${(((split1.user - split0.user) * 1e6) / r.ok).toFixed(0)}, sys ${(((split1.system - split0.system) * 1e6) / r.ok).toFixed(0)}; ${((c1 - c0) / wall).toFixed(2)} cores), loadgen ${(((l1 - l0) * 1e6) / r.ok).toFixed(0)} µs/vote, ` +
            `rest of machine ${foreign.toFixed(2)} cores, load ${loadAverage()[0].toFixed(2)}, mean batch ${((s1.messages - s0.messages) / Math.max(1, s1.batches - s0.batches)).toFixed(1)}\n`,
        );
        await app.stop();
      }
    }
  } finally {
    await loadgen.stop();
    await db.drop().catch(() => undefined);
    await topics.remove().catch(() => undefined);
    await deleteRedisKeys(redis, topics.prefix).catch(() => undefined);
    redis.disconnect();
  }
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
