/**
 * The rebuild stage: a --votes vote log written straight to Kafka with bare producers (one
 * consultation, its accepted proposals, realistic votes, changes and retractions), then the
 * rebuild command of apps/projector/src/rebuild timed on it, and its tallies checked against a
 * recount of what was written.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { VoteValue } from '@app/events';
import { Ctx, cpuProbes, ingestEnv, log } from '../lib/context';
import { loadAverage, machineCpu, trackCpu } from '../lib/cpu';
import { REALISTIC_LOG, consultationEvents, voteLog } from '../lib/events';
import { waitCaughtUp } from '../lib/lag';
import { quietGate } from '../lib/measure';
import { ROOT, freePort, startApp } from '../lib/procs';
import { writeEvents, writeLog } from '../lib/produce';
import { fmt } from '../lib/report';
import { ProjectionProbe, createDatabase, createTopics, deleteRedisKeys } from '../lib/stack';

/** Folds the log the bench writes, to check what the rebuild produced (current votes per value). */
const expectedCounts = (): { fold: (events: Iterable<{ type: string; data: Record<string, unknown> }>) => void; totals: () => Record<VoteValue | 'total', number> } => {
  const current = new Map<string, VoteValue>();
  return {
    fold: (events) => {
      for (const e of events) {
        const key = `${String(e.data.participantId)}/${String(e.data.proposalId)}`;
        if (e.type === 'VoteCast') current.set(key, e.data.value as VoteValue);
        else if (e.type === 'VoteRetracted') current.delete(key);
      }
    },
    totals: () => {
      const totals = { total: 0, agree: 0, disagree: 0, neutral: 0 };
      for (const value of current.values()) {
        totals.total++;
        totals[value]++;
      }
      return totals;
    },
  };
};

export const stageRebuild = async (ctx: Ctx): Promise<void> => {
  const votes = ctx.opts.votes;
  log(`stage rebuild: writing a log of ${votes} vote events`);
  const topics = await createTopics(ctx.kafka, 'rebuild');
  const db = await createDatabase('rebuild');
  const redisPrefix = topics.prefix;
  const counts = expectedCounts();
  try {
    await writeEvents(ctx.kafka, topics.prefix, consultationEvents(REALISTIC_LOG.proposals));
    const chunks = function* (): Generator<ReturnType<typeof voteLog> extends Generator<infer T> ? T : never> {
      for (const chunk of voteLog(votes, REALISTIC_LOG, 20_000, 42)) {
        counts.fold(chunk as never);
        yield chunk;
      }
    };
    let lastLog = 0;
    const written = await writeLog(ctx.kafka, topics.prefix, chunks(), {
      producers: 3,
      onProgress: (n) => {
        if (n - lastLog >= 200_000) {
          lastLog = n;
          log(`  ${n} written`);
        }
      },
    });
    log(`log written: ${written.events} events in ${(written.ms / 1000).toFixed(1)} s (${fmt((written.events * 1000) / written.ms)}/s, 3 bare producers)`);
    const gate = await quietGate(ctx);
    const id = `bench${randomBytes(3).toString('hex')}`;
    const loadStart = loadAverage();
    const kafkaProbe = cpuProbes(ctx, () => db.name).filter((p) => ['kafka', 'postgres', 'postgres-shared', 'redis'].includes(p.name));
    const tracker = trackCpu(kafkaProbe, 250);
    const machineBefore = machineCpu();
    const started = performance.now();
    const outcome = await runRebuild(ctx, { TOPIC_PREFIX: topics.prefix, DATABASE_URL: db.url, REDIS_PREFIX: redisPrefix, REDIS_PROJECTION_PREFIX: `${redisPrefix}rm` }, id);
    const wallS = (performance.now() - started) / 1000;
    const services = tracker.stop();
    const machineBusyCores = (machineCpu().busy - machineBefore.busy) / wallS;
    const check = new Client({ connectionString: db.url });
    await check.connect();
    const { rows } = await check.query<{ total: string; agree: string; disagree: string; neutral: string }>(
      'SELECT sum(total) AS total, sum(agree) AS agree, sum(disagree) AS disagree, sum(neutral) AS neutral FROM readmodel.tallies',
    );
    await check.end();
    const expected = counts.totals();
    const got = { total: Number(rows[0].total), agree: Number(rows[0].agree), disagree: Number(rows[0].disagree), neutral: Number(rows[0].neutral) };
    const matches = (Object.keys(expected) as (keyof typeof expected)[]).every((k) => expected[k] === got[k]);
    const rebuild = {
      votes: written.events,
      written: { ms: written.ms, perSecond: (written.events * 1000) / written.ms },
      method: outcome.method,
      wallS,
      result: outcome.result,
      cpuSeconds: { rebuild: outcome.cpuSeconds, ...services },
      machineBusyCores,
      loadAverage: { start: loadStart, end: loadAverage() },
      gate,
      verification: { expected, got, matches },
      error: outcome.error,
    };
    log(`rebuild (${outcome.method}): ${wallS.toFixed(1)} s for ${written.events} events; tallies ${matches ? 'match' : 'DIFFER from'} the log recount`);
    ctx.results.rebuild = rebuild;
  } finally {
    await db.drop().catch(() => undefined);
    await topics.remove().catch(() => undefined);
    await deleteRedisKeys(ctx.redis, redisPrefix).catch(() => undefined);
  }
};

/**
 * Times `rebuild.cli.js` (apps/projector/src/rebuild) on the log; if it fails, a fresh projector
 * consumer group catching up into the same fresh database instead (and says so).
 */
const runRebuild = async (
  ctx: Ctx,
  env: Record<string, string>,
  id: string,
): Promise<{ method: string; result?: unknown; cpuSeconds?: number; error?: string }> => {
  const { spawn } = await import('node:child_process');
  const script = join(ROOT, ctx.opts.dist, 'apps/projector/src/rebuild/rebuild.cli.js');
  const child = spawn(process.execPath, ['-r', join(ROOT, 'bench/lib/cpu-at-exit.js'), script, '--keep-old', '--grace-seconds', '0', '--id', id], {
    cwd: ROOT,
    env: { ...process.env, ...ingestEnv(ctx), ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => {
    const text = c.toString();
    stderr = (stderr + text).slice(-20_000);
    const progress = text.trim().split('\n').at(-1);
    if (progress && !progress.startsWith('{"cpu')) log(`  rebuild: ${progress.slice(0, 160)}`);
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const cpu = /\{"cpuSeconds":([\d.]+)\}/.exec(stderr);
  if (code === 0) {
    let result: unknown;
    try {
      result = JSON.parse(stdout);
    } catch {
      result = stdout;
    }
    return { method: 'rebuild.cli (apps/projector/src/rebuild)', result, cpuSeconds: cpu ? Number(cpu[1]) : undefined };
  }
  log(`rebuild command failed (exit ${code}); timing a fresh projector consumer group instead`);
  const error = stderr.slice(-2000);
  const app = await startApp(
    'projector-rebuild',
    `${ctx.opts.dist}/apps/projector/src/main.js`,
    { ...ingestEnv(ctx), ...env, PROJECTOR_GROUP_ID: `bench-rebuild-${id}` },
    { port: await freePort() },
  );
  const pg = new Client({ connectionString: env.DATABASE_URL });
  await pg.connect();
  try {
    const fresh = new ProjectionProbe(ctx.admin, pg, ctx.redis, `${env.TOPIC_PREFIX}votes`, `${env.REDIS_PREFIX}rm`);
    const caught = await waitCaughtUp(fresh, 900_000);
    return { method: 'fresh projector consumer group (rebuild command failed)', result: caught, error };
  } finally {
    await pg.end();
    await app.stop();
  }
};
