/** The HTTP load stages: bare Fastify (raw limit), the system (ingest + projector), the reads. */
import { Ctx, LoadRun, log, profileReport, toggleProfile } from '../lib/context';
import { CONSULTATION } from '../lib/events';
import { waitCaughtUp } from '../lib/lag';
import { measure, passes, search, voteSpec } from '../lib/measure';
import { App, freePort, startApp } from '../lib/procs';
import { StreamSpec } from '../loadgen';

export const stageHttp = async (ctx: Ctx): Promise<void> => {
  log('stage http: bare Fastify server answering 202');
  ctx.bareHttp = await startApp('bare-http', 'bench/bare-http.ts', {}, {
    port: await freePort(),
    nodeArgs: ['-r', '@swc-node/register'],
    readyPath: '/health/ready',
  });
  try {
    const port = ctx.bareHttp.port;
    await ctx.loadgen.request({ type: 'run', specs: [voteSpec(ctx, port, 2000, 5, 'bare')] }); // warm-up (JIT), not reported
    const { runs, best } = await search(ctx, 'bare-http', ctx.opts.bareRates, (rate) => voteSpec(ctx, port, rate, ctx.opts.step, 'bare'), false);
    ctx.results.http = { runs, best };
  } finally {
    await ctx.bareHttp.stop();
    ctx.bareHttp = undefined;
  }
};

export const stageSystem = async (ctx: Ctx): Promise<void> => {
  const ingest = ctx.ingest as App;
  log('stage system: warm-up 8 s at 1,000/s');
  await ctx.loadgen.request({ type: 'run', specs: [voteSpec(ctx, ingest.port, 1000, 8, 'vote')] });
  await waitCaughtUp(ctx.probe, 60_000);
  const { runs, best } = await search(ctx, 'system', ctx.opts.rates, (rate) => voteSpec(ctx, ingest.port, rate, ctx.opts.step, 'vote'), true);
  const system: Record<string, unknown> = { search: runs, best };
  ctx.results.system = system;
  if (best > 0) {
    if (ctx.opts.profile) await toggleProfile(ctx.ingest, false);
    system.sustained = await measure(ctx, `system sustained ${best}/s × ${ctx.opts.duration} s`, [voteSpec(ctx, ingest.port, best, ctx.opts.duration, 'vote')], {
      catchUp: true,
      lag: true,
    });
    if (ctx.opts.profile) system.ingestProfile = profileReport(await toggleProfile(ctx.ingest, true));
  }
  // Without a sustained run (nothing passed), the profile covers the low-rate run instead.
  const profileLow = ctx.opts.profile && best === 0;
  if (profileLow) await toggleProfile(ctx.ingest, false);
  system.low = await measure(ctx, `system ${ctx.opts.lowRate}/s × ${ctx.opts.duration} s`, [voteSpec(ctx, ingest.port, ctx.opts.lowRate, ctx.opts.duration, 'vote', true)], {
    p99Ms: 50,
    lag: true,
    repeat: !profileLow,
  });
  if (profileLow) system.ingestProfile = profileReport(await toggleProfile(ctx.ingest, true));
};

export const stageReads = async (ctx: Ctx): Promise<void> => {
  const query = ctx.query as App;
  const ingest = ctx.ingest as App;
  const paths: string[] = [];
  for (let i = 0; i < 1000; i++) {
    paths.push(`/v1/consultations/${CONSULTATION}/stats`, `/v1/proposals/${ctx.proposals[(i * 7919) % ctx.proposals.length]}`);
  }
  const reads = (rate: number, durationS: number): StreamSpec => ({
    name: 'reads',
    port: query.port,
    rate,
    durationS,
    maxConnections: 2000,
    timeoutMs: 10_000,
    target: { kind: 'read', paths },
  });
  log('stage reads: stats + proposal detail alone (rate search), then while votes flow');
  await ctx.loadgen.request({ type: 'run', specs: [reads(500, 5)] }); // warm-up
  const alone: LoadRun[] = [];
  let bestAlone = 0;
  for (const rate of [250, 500, 1000, 2000, 3000].filter((r) => r <= ctx.opts.readRate)) {
    const run = await measure(ctx, `reads alone ${rate}/s × ${ctx.opts.step} s`, [reads(rate, ctx.opts.step)], { p99Ms: 20 });
    alone.push(run);
    if (!run.passed) break;
    bestAlone = rate;
  }
  ctx.results.readsAlone = { runs: alone, best: bestAlone };
  const durationS = Math.max(ctx.opts.step * 2, 20);
  ctx.results.reads = await measure(
    ctx,
    `reads ${ctx.opts.readRate}/s + votes ${ctx.opts.readVoteRate}/s × ${durationS} s`,
    [reads(ctx.opts.readRate, durationS), voteSpec(ctx, ingest.port, ctx.opts.readVoteRate, durationS, 'vote')],
    { pass: (r) => passes(r[0], 20) && passes(r[1], ctx.opts.p99Ms), catchUp: true },
  );
  const run = ctx.results.reads as LoadRun;
  if (run.streams.some((s) => Object.keys(s.statuses).some((status) => status >= '500'))) {
    (ctx.results as Record<string, unknown>).readsQueryLog = query.output().slice(-4000);
    log(`query API answered 5xx; its last output:\n${query.output().slice(-2000)}`);
  }
};
