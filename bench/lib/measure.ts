/**
 * One measured load run: the load generator's streams, the CPU of every process (ours and the
 * shared services), the machine's busy cores, the appender's batches, and when asked the
 * projection lag and the catch-up after the load; plus the rate search built on it.
 */
import { cpuDelta, loadAverage, machineCpu, snapshotCpu, trackCpu } from './cpu';
import { Ctx, LoadRun, cpuProbes, log, sleep } from './context';
import { LagSampler, visibilityLag, waitCaughtUp } from './lag';
import { scrapeAppender } from './procs';
import { fmt } from './report';
import { TOKEN_SECRET } from './stack';
import { StreamResult, StreamSpec } from '../loadgen';

/**
 * Other people's work on the shared machine (tests, builds) distorts every figure: before a
 * measurement, wait (at most `maxWaitMs`) until processes other than this run's use less than
 * `maxForeignCores` over a 3 s probe. Returns the foreign load seen last.
 */
export const quietGate = async (ctx: Ctx, maxForeignCores = 0.35, maxWaitMs = ctx.opts.quietWaitS * 1000): Promise<{ foreignCores: number; waitedMs: number }> => {
  const started = Date.now();
  for (;;) {
    const probes = cpuProbes(ctx);
    const before = snapshotCpu(probes);
    const machineBefore = machineCpu();
    await sleep(3000);
    const ours = Object.values(cpuDelta(before, snapshotCpu(probes))).reduce((a, b) => a + b, 0);
    const foreignCores = Math.max(0, (machineCpu().busy - machineBefore.busy - ours) / 3);
    const waitedMs = Date.now() - started;
    if (foreignCores <= maxForeignCores || waitedMs > maxWaitMs) {
      if (waitedMs > 3500) log(`waited ${(waitedMs / 1000).toFixed(0)} s for a quieter machine (other processes: ${foreignCores.toFixed(2)} cores)`);
      return { foreignCores, waitedMs };
    }
    await sleep(7000);
  }
};

export const passes = (stream: StreamResult, p99Ms: number): boolean =>
  stream.errors === 0 && stream.ok === stream.scheduled && stream.latencyMs.p99 <= p99Ms;

/**
 * Runs the streams once, measuring CPU of every process, the machine's busy cores and (when
 * asked) projection lag and catch-up; repeats once when it failed while other processes used
 * more than a quarter of a core.
 */
export const measure = async (
  ctx: Ctx,
  name: string,
  specs: StreamSpec[],
  options: { p99Ms?: number; lag?: boolean; catchUp?: boolean; pass?: (r: StreamResult[]) => boolean; repeat?: boolean } = {},
): Promise<LoadRun> => {
  const gate = await quietGate(ctx);
  const probes = cpuProbes(ctx);
  const loadStart = loadAverage();
  const appenderBefore = ctx.ingest ? await scrapeAppender(ctx.ingest).catch(() => undefined) : undefined;
  const sampler = options.lag ? new LagSampler(ctx.probe, 100) : undefined;
  const tracker = trackCpu(probes, 500);
  const machineBefore = machineCpu();
  const started = performance.now();
  sampler?.start();
  const { results } = await ctx.loadgen.request<{ results: StreamResult[] }>({ type: 'run', specs });
  const wallS = (performance.now() - started) / 1000;
  const cpuSeconds = tracker.stop();
  const machineAfter = machineCpu();
  const machineBusyCores = (machineAfter.busy - machineBefore.busy) / wallS;
  const explained = Object.values(cpuSeconds).reduce((a, b) => a + b, 0);
  const foreignCores = Math.max(0, (machineAfter.busy - machineBefore.busy - explained) / wallS);
  const ok = results[0].ok;
  const cpuPer1000 = Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, ok > 0 ? (v * 1000) / ok : Number.NaN]));
  const pass = options.pass ? options.pass(results) : passes(results[0], options.p99Ms ?? ctx.opts.p99Ms);
  const run: LoadRun = {
    name,
    streams: results.map((r) => ({ ...r, acks: undefined })),
    passed: pass,
    cpuSeconds,
    cpuPer1000,
    machineBusyCores,
    foreignCores,
    loadAverage: { start: loadStart, end: loadAverage() },
    wallS,
    gate,
  };
  if (ctx.ingest && appenderBefore) {
    const appenderAfter = await scrapeAppender(ctx.ingest).catch(() => undefined);
    if (appenderAfter) {
      const batches = appenderAfter.batches - appenderBefore.batches;
      const messages = appenderAfter.messages - appenderBefore.messages;
      run.appender = { batches, messages, meanBatch: batches > 0 ? messages / batches : 0 };
    }
  }
  if (options.catchUp || sampler) {
    run.catchUp = await waitCaughtUp(ctx.probe, 120_000);
  }
  if (sampler) {
    await sampler.stop();
    const acks = results[0].acks;
    if (acks) {
      run.lag = {
        postgresMs: visibilityLag(acks, sampler.samples, 'postgres'),
        redisMs: visibilityLag(acks, sampler.samples, 'redis'),
        maxBacklog: sampler.maxBacklog(),
        samples: sampler.samples.length,
      };
    }
  }
  log(
    `${name}: ${results.map((r) => `${r.name} ${r.ok}/${r.scheduled} ok, ${r.errors} errors, p50 ${fmt(r.latencyMs.p50)} p99 ${fmt(r.latencyMs.p99)} ms`).join('; ')}` +
      ` — ${pass ? 'PASS' : 'FAIL'}; busy ${machineBusyCores.toFixed(2)} cores (foreign ${foreignCores.toFixed(2)}), load ${run.loadAverage.end[0].toFixed(2)}` +
      (run.catchUp ? `; catch-up ${(run.catchUp.ms / 1000).toFixed(2)} s` : '') +
      (run.lag ? `; lag p99 pg ${fmt(run.lag.postgresMs.p99)} ms redis ${fmt(run.lag.redisMs.p99)} ms` : ''),
  );
  if (!pass && options.repeat !== false && foreignCores > 0.25) {
    log(`${name}: failed while other processes used ${foreignCores.toFixed(2)} cores; waiting 20 s and measuring again`);
    await sleep(20_000);
    const again = await measure(ctx, name, specs, { ...options, repeat: false });
    return { ...again, repeated: true };
  }
  return run;
};

export const voteSpec = (ctx: Ctx, port: number, rate: number, durationS: number, kind: 'vote' | 'bare', trackAcks = false): StreamSpec => ({
  name: kind === 'vote' ? 'votes' : 'bare-http',
  port,
  rate,
  durationS,
  maxConnections: 2000,
  timeoutMs: 10_000,
  target:
    kind === 'vote'
      ? { kind: 'vote', proposals: ctx.proposals, participants: ctx.opts.participants, tokenSecret: TOKEN_SECRET, idempotencyKey: ctx.opts.idempotencyKey, trackAcks }
      : { kind: 'bare', proposals: ctx.proposals, participants: ctx.opts.participants, tokenSecret: TOKEN_SECRET },
});

/** Rates in ascending order until one fails; returns every run and the highest passing rate. */
export const search = async (ctx: Ctx, label: string, rates: readonly number[], spec: (rate: number) => StreamSpec, catchUp: boolean): Promise<{ runs: LoadRun[]; best: number }> => {
  const runs: LoadRun[] = [];
  let best = 0;
  for (const rate of rates) {
    const run = await measure(ctx, `${label} ${rate}/s × ${ctx.opts.step} s`, [spec(rate)], { catchUp });
    runs.push(run);
    if (!run.passed) break;
    best = rate;
  }
  return { runs, best };
};
