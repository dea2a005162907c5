/** The raw-limit stages: bare kafkajs producer; projector catch-up next to bare COPY and bare Redis. */
import { BareProducerResult, BareProducerTask } from '../bare-producer';
import { bareCopy, bareRedis } from '../lib/bare-stores';
import { Ctx, LoadRun, cpuProbes, log, profileReport, startProjector, toggleProfile } from '../lib/context';
import { cpuDelta, loadAverage, snapshotCpu, trackCpu } from '../lib/cpu';
import { REALISTIC_LOG, voteLog } from '../lib/events';
import { waitCaughtUp } from '../lib/lag';
import { quietGate } from '../lib/measure';
import { Helper, forkHelper } from '../lib/procs';
import { writeLog } from '../lib/produce';
import { fmt } from '../lib/report';
import { createTopics } from '../lib/stack';

export const stageProducer = async (ctx: Ctx): Promise<void> => {
  log('stage producer: bare kafkajs idempotent producer');
  const system = ctx.results.system as { best?: number; sustained?: LoadRun; search?: LoadRun[]; low?: LoadRun } | undefined;
  // The appender's mean batch at the system's top rate (else at the rate it was measured at last).
  const top = system?.sustained ?? system?.search?.filter((r) => r.passed).at(-1) ?? system?.low ?? system?.search?.at(-1);
  const rate = system?.best || ctx.opts.lowRate;
  const batch = Math.max(1, Math.round(top?.appender?.meanBatch ?? 50));
  const bareTopics = await createTopics(ctx.kafka, 'bareprod');
  try {
    ctx.producer = await forkHelper('bare-producer', 'bench/bare-producer.ts');
    const run = async (task: BareProducerTask): Promise<BareProducerResult & { cpuSeconds: number; cpuPer1000: number; kafkaCpuPer1000: number }> => {
      await quietGate(ctx);
      const probes = cpuProbes(ctx).filter((p) => p.name === 'bare-producer' || p.name === 'kafka');
      const before = snapshotCpu(probes);
      const { result } = await (ctx.producer as Helper).request<{ result: BareProducerResult }>({ type: 'run', task });
      const cpu = cpuDelta(before, snapshotCpu(probes));
      return {
        ...result,
        cpuSeconds: cpu['bare-producer'],
        cpuPer1000: (cpu['bare-producer'] * 1000) / result.messages,
        kafkaCpuPer1000: (cpu.kafka * 1000) / result.messages,
      };
    };
    await run({ mode: 'capacity', prefix: bareTopics.prefix, messages: 20_000, batch }); // warm-up
    const capacity = await run({ mode: 'capacity', prefix: bareTopics.prefix, messages: Math.max(50_000, rate * ctx.opts.step), batch });
    const capacityMax = await run({ mode: 'capacity', prefix: bareTopics.prefix, messages: 200_000, batch: 2000 });
    const open = await run({ mode: 'open', prefix: bareTopics.prefix, rate, durationS: ctx.opts.step, maxBatch: 2000 });
    for (const [label, r] of [
      [`capacity, batches of ${batch}`, capacity],
      ['capacity, batches of 2000', capacityMax],
      [`open model ${rate}/s`, open],
    ] as const) {
      log(`bare producer ${label}: ${fmt(r.perSecond)}/s, batch p50 ${fmt(r.batchMs.p50)} p99 ${fmt(r.batchMs.p99)} ms` + (r.latencyMs ? `, latency p99 ${fmt(r.latencyMs.p99)} ms` : ''));
    }
    ctx.results.producer = { batch, capacity, capacityMax, open, rate };
  } finally {
    await ctx.producer?.stop();
    ctx.producer = undefined;
    await bareTopics.remove().catch(() => undefined);
  }
};

export const stageProjector = async (ctx: Ctx): Promise<void> => {
  log(`stage projector: catch-up of ${ctx.opts.backlog} votes`);
  await waitCaughtUp(ctx.probe, 60_000);
  await ctx.projector?.stop();
  ctx.projector = undefined;
  const shape = { ...REALISTIC_LOG, participants: ctx.opts.participants, proposals: ctx.opts.proposals };
  const written = await writeLog(ctx.kafka, ctx.topics.prefix, voteLog(ctx.opts.backlog, shape, 10_000, 7), { producers: 2 });
  log(`backlog written: ${written.events} events in ${(written.ms / 1000).toFixed(1)} s`);
  const gate = await quietGate(ctx);
  const tracker = trackCpu(cpuProbes(ctx), 250);
  const loadStart = loadAverage();
  const spawnedAt = performance.now();
  await startProjector(ctx);
  const readyAt = performance.now();
  if (ctx.opts.profile) await toggleProfile(ctx.projector, false);
  const caught = await waitCaughtUp(ctx.probe, 600_000);
  const doneAt = performance.now();
  const cpu = tracker.stop();
  const profile = ctx.opts.profile ? profileReport(await toggleProfile(ctx.projector, true)) : undefined;
  const applyS = (doneAt - readyAt) / 1000;
  const catchUp = {
    events: written.events,
    startS: (readyAt - spawnedAt) / 1000,
    applyS,
    eventsPerSecond: written.events / applyS,
    caughtUp: caught.caughtUp,
    cpuSeconds: cpu,
    cpuPer1000: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, (v * 1000) / written.events])),
    loadAverage: { start: loadStart, end: loadAverage() },
    gate,
    profile,
  };
  log(`projector catch-up: ${written.events} events in ${applyS.toFixed(2)} s after ready (${fmt(catchUp.eventsPerSecond)}/s), start ${catchUp.startS.toFixed(1)} s`);
  await quietGate(ctx);
  const copy = await bareCopy(ctx.db.url, written.events, ctx.opts.proposals);
  log(`bare COPY: ${copy.rows} rows in ${copy.ms.toFixed(0)} ms (${fmt(copy.perSecond)}/s)`);
  await quietGate(ctx);
  const redis = await bareRedis(ctx.redis, `${ctx.redisPrefix}bare`, written.events, ctx.opts.proposals);
  log(`bare Redis: ${redis.rows} votes in ${redis.ms.toFixed(0)} ms (${fmt(redis.perSecond)}/s)`);
  ctx.results.projector = { catchUp, bareCopy: copy, bareRedis: redis };
};
