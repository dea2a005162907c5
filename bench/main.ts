/**
 * `npm run bench`: the speed of the whole pipeline on this machine next to its raw limits,
 * measured in one run (issue 6, item 4; docs/benchmarks.md). Every app runs from dist/ as its own
 * process, the load generator and the bare producer too, so CPU is measured per process.
 *
 * Stages (each can be chosen with --only / --skip):
 *   http       bare Fastify answering 202: rate search (the raw HTTP limit)
 *   system     ingest + projector: rate search, the top rate sustained for --duration s with the
 *              projector's catch-up after it, and --low-rate (2,000/s) with projection lag
 *   reads      stats + proposal detail on the query API while votes flow
 *   producer   bare kafkajs idempotent producer: capacity at the appender's batch size, and the
 *              same open-model rate as the system's top one
 *   projector  catch-up of a backlog of --backlog votes; bare COPY and bare pipelined Redis
 *   rebuild    a --votes vote log written with bare producers, then the rebuild command timed
 *
 * Results: a table on stdout and JSON in bench/.results/<time>.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { Ctx, RESULTS_DIR, log, startIngest, startProjector, startQuery } from './lib/context';
import { loadAverage } from './lib/cpu';
import { consultationEvents, proposalId } from './lib/events';
import { parseOptions } from './lib/options';
import { forkHelper } from './lib/procs';
import { writeEvents } from './lib/produce';
import { printTable } from './lib/report';
import { ProjectionProbe, TOKEN_SECRET, createDatabase, createTopics, deleteRedisKeys, newKafka, redisUrl } from './lib/stack';
import { stageHttp, stageReads, stageSystem } from './stages/load';
import { stageProducer, stageProjector } from './stages/raw';
import { stageRebuild } from './stages/rebuild';

const main = async (): Promise<void> => {
  const opts = parseOptions(process.argv.slice(2));
  mkdirSync(RESULTS_DIR, { recursive: true });
  const startedAt = new Date();
  log(`options: ${JSON.stringify({ ...opts, stages: [...opts.stages] })}`);
  log(`machine: ${cpus().length} cores, load average ${loadAverage().join(' ')}`);
  const kafka = newKafka('bench');
  const admin = kafka.admin();
  await admin.connect();
  const redis = new Redis(redisUrl(), { lazyConnect: true });
  await redis.connect();
  const topics = await createTopics(kafka, 'run');
  const db = await createDatabase('run');
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const redisPrefix = topics.prefix;
  const projectionPrefix = `${topics.prefix}rm`;
  const ctx: Ctx = {
    opts,
    kafka,
    admin,
    redis,
    topics,
    db,
    pg,
    probe: new ProjectionProbe(admin, pg, redis, topics.votes, projectionPrefix),
    redisPrefix,
    projectionPrefix,
    groupId: `bench-projector-${randomBytes(3).toString('hex')}`,
    proposals: Array.from({ length: opts.proposals }, (_, i) => proposalId(i)),
    loadgen: await forkHelper('loadgen', 'bench/loadgen.ts'),
    results: {},
  };
  const results = ctx.results;
  results.startedAt = startedAt.toISOString();
  results.options = { ...opts, stages: [...opts.stages] };
  results.machine = { cores: cpus().length, model: cpus()[0]?.model, loadAverageAtStart: loadAverage(), node: process.version };
  const file = join(RESULTS_DIR, `${startedAt.toISOString().replace(/[:.]/g, '-')}${opts.label ? `-${opts.label}` : ''}.json`);
  const save = (): void => writeFileSync(file, JSON.stringify(results, null, 2));
  try {
    await ctx.loadgen.request({ type: 'prepare', secret: TOKEN_SECRET, participants: opts.participants }, 'prepared');
    await writeEvents(kafka, topics.prefix, consultationEvents(opts.proposals));
    if (opts.stages.has('http')) {
      await stageHttp(ctx);
      save();
    }
    const needsApps = ['system', 'reads', 'projector'].some((s) => opts.stages.has(s as never));
    if (needsApps) {
      log('starting ingest, projector and query API from dist/');
      await Promise.all([startIngest(ctx), startProjector(ctx), opts.stages.has('reads') ? startQuery(ctx) : Promise.resolve()]);
    }
    if (opts.stages.has('system')) {
      await stageSystem(ctx);
      save();
    }
    if (opts.stages.has('reads')) {
      await stageReads(ctx);
      save();
    }
    if (opts.stages.has('producer')) {
      await stageProducer(ctx);
      save();
    }
    if (opts.stages.has('projector')) {
      await stageProjector(ctx);
      save();
    }
    for (const app of [ctx.query, ctx.ingest, ctx.projector]) await app?.stop();
    ctx.query = ctx.ingest = ctx.projector = undefined;
    if (opts.stages.has('rebuild')) {
      await stageRebuild(ctx);
      save();
    }
    results.finishedAt = new Date().toISOString();
    save();
    printTable(results);
    log(`results: ${file}`);
  } finally {
    for (const app of [ctx.query, ctx.ingest, ctx.projector, ctx.bareHttp]) {
      if (!app) continue;
      const died = app.child.exitCode !== null || app.child.signalCode !== null;
      if (died) log(`${app.name} had exited (${app.child.exitCode ?? app.child.signalCode}); its last output:\n${app.output()}`);
      await app.stop().catch(() => undefined);
    }
    await ctx.loadgen.stop().catch(() => undefined);
    await pg.end().catch(() => undefined);
    await db.drop().catch((error: Error) => log(`could not drop ${db.name}: ${error.message}`));
    await topics.remove().catch((error: Error) => log(`could not delete topics ${topics.prefix}*: ${error.message}`));
    await deleteRedisKeys(redis, redisPrefix).catch(() => undefined);
    redis.disconnect();
    await admin.disconnect().catch(() => undefined);
  }
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
