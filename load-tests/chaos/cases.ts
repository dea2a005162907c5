import { httpStatus } from './apps';
import { ChaosCase, CaseContext, FaultWindow } from './run-case';
import { SingleBroker, ThreeBrokers } from './services';

/** The faults of `npm run chaos`: each one breaks one thing under load, then lets it recover. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const single = (ctx: CaseContext): SingleBroker => {
  if (!(ctx.stack.kafka instanceof SingleBroker)) throw new Error('this case needs the single proxied broker');
  return ctx.stack.kafka;
};

/** SIGKILL an app, keep it down `downMs`, start it again on the same port. */
const killAndRestart =
  (name: 'ingest' | 'projector' | 'query', downMs: number) =>
  async (ctx: CaseContext): Promise<FaultWindow & { notes: Record<string, unknown> }> => {
    const app = ctx.stack.apps[name];
    const pid = app.pid;
    const from = Date.now();
    const exit = await app.stop('SIGKILL');
    ctx.say(`${name} (pid ${pid}) killed: ${exit.signal ?? `exit ${exit.code}`}`);
    await sleep(downMs);
    const readyMs = await app.start();
    ctx.say(`${name} restarted (pid ${app.pid}), ready ${(readyMs / 1000).toFixed(1)} s after the start, ${((Date.now() - from) / 1000).toFixed(1)} s after the kill`);
    return { from, to: Date.now(), notes: { killedPid: pid, restartedPid: app.pid, readySeconds: Number((readyMs / 1000).toFixed(1)) } };
  };

const DEFAULT_LOAD = { votes: 3000, votePeakRate: 100, faultAfterSeconds: 12 } as const;

export const CASES: readonly ChaosCase[] = [
  {
    name: 'kill-ingest',
    title: 'SIGKILL of the ingest under load, restarted on the same port',
    kafka: 'single',
    ...DEFAULT_LOAD,
    inject: killAndRestart('ingest', 1000),
  },
  {
    name: 'kill-projector',
    title: 'SIGKILL of the projector under load (a batch may be half applied), restarted 5 s later',
    kafka: 'single',
    ...DEFAULT_LOAD,
    inject: killAndRestart('projector', 5000),
  },
  {
    name: 'kill-query',
    title: 'SIGKILL of the query API under load (reads fail meanwhile), restarted 3 s later',
    kafka: 'single',
    ...DEFAULT_LOAD,
    inject: killAndRestart('query', 3000),
  },
  {
    name: 'broker-restart',
    title: 'the Kafka broker stopped (SIGTERM) under load and started again 5 s later',
    kafka: 'single',
    // A longer votes phase: the broker's JVM takes 10-40 s to start again on a busy 2-core machine.
    votes: 5000,
    votePeakRate: 100,
    faultAfterSeconds: 10,
    inject: async (ctx) => {
      const broker = single(ctx);
      const from = Date.now();
      await broker.stop();
      ctx.say(`broker stopped in ${((Date.now() - from) / 1000).toFixed(1)} s; ingest readiness ${await httpStatus(`${ctx.stack.apps.ingest.url}/health/ready`, 3000)}`);
      await sleep(5000);
      const restart = Date.now();
      await broker.start();
      ctx.say(`broker started again in ${((Date.now() - restart) / 1000).toFixed(1)} s`);
      return { from, to: Date.now() };
    },
    check: (observed) => (observed.writeStatuses['503'] === undefined && observed.writeStatuses['0'] === undefined ? ['no vote write was refused while the broker was down'] : []),
  },
  {
    name: 'postgres-restart',
    title: 'Postgres crashed (pg_ctl stop -m immediate) under load and started again 5 s later',
    kafka: 'single',
    ...DEFAULT_LOAD,
    inject: async (ctx) => {
      const from = Date.now();
      await ctx.stack.postgres.crash();
      ctx.say('postgres stopped (immediate: every backend killed, crash recovery at the next start)');
      await sleep(5000);
      await ctx.stack.postgres.start();
      ctx.say(`postgres started again after ${((Date.now() - from) / 1000).toFixed(1)} s`);
      return { from, to: Date.now() };
    },
  },
  {
    name: 'redis-flush',
    title: 'Redis flushed (FLUSHALL of the private server) under load: tallies must come back exact from the log',
    kafka: 'single',
    ...DEFAULT_LOAD,
    inject: async (ctx) => {
      const from = Date.now();
      const keys = await ctx.stack.redis.flush();
      ctx.say(`FLUSHALL: ${keys} keys deleted (projection, checkpoints, idempotency keys)`);
      return { from, to: Date.now(), notes: { keysFlushed: keys } };
    },
  },
  {
    name: 'network-cut',
    title: 'the network between the apps and Kafka cut for 30 s (proxy drops everything), then restored',
    kafka: 'single',
    votes: 5000,
    votePeakRate: 100,
    faultAfterSeconds: 10,
    inject: async (ctx) => {
      const broker = single(ctx);
      const ingest = ctx.stack.apps.ingest;
      const pid = ingest.pid;
      const startsBefore = ingest.starts;
      const from = Date.now();
      broker.proxy.cut();
      ctx.say(`network to Kafka cut (${broker.proxy.connections} connections stalled)`);
      const readiness: Record<string, number> = {};
      while (Date.now() - from < 30_000) {
        const status = await httpStatus(`${ingest.url}/health/ready`, 2000);
        readiness[status] = (readiness[status] ?? 0) + 1;
        await sleep(1000);
      }
      broker.proxy.restore();
      const to = Date.now();
      ctx.say(`network restored after ${((to - from) / 1000).toFixed(1)} s; ingest readiness answers during the cut ${JSON.stringify(readiness)}`);
      return { from, to, notes: { ingestPidBefore: pid, ingestPidAfter: ingest.pid, ingestRestarts: ingest.starts - startsBefore, readinessDuringCut: readiness } };
    },
    check: (observed) => {
      const failures: string[] = [];
      if ((observed.writeStatuses['503'] ?? 0) === 0) failures.push('the ingest answered no 503 while Kafka was unreachable');
      if (observed.notes.ingestPidBefore !== observed.notes.ingestPidAfter || observed.notes.ingestRestarts !== 0) failures.push('the ingest was restarted');
      const readiness = observed.notes.readinessDuringCut as Record<string, number>;
      if ((readiness['0'] ?? 0) > 2) failures.push(`the ingest did not answer its readiness probe ${readiness['0']} times during the cut`);
      if (observed.recoverySeconds !== null && observed.recoverySeconds > 20) failures.push(`votes were acknowledged again only ${observed.recoverySeconds} s after the network came back`);
      return failures;
    },
  },
  {
    name: 'cluster-broker-kill',
    title: 'three brokers (RF 3, min.insync.replicas 2): SIGKILL of one broker under load, left down until verified',
    kafka: 'cluster',
    ...DEFAULT_LOAD,
    inject: async (ctx) => {
      const cluster = ctx.stack.kafka;
      if (!(cluster instanceof ThreeBrokers)) throw new Error('this case needs the three-broker cluster');
      const from = Date.now();
      await cluster.stopNode(2, true);
      ctx.say('broker node 2 killed (SIGKILL); nodes 1 and 3 hold the in-sync replicas');
      return { from, to: Date.now(), notes: { killedNode: 2 } };
    },
  },
];
