import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildSnapshot } from './apps';
import { CaseResult, ChaosCase, runCase } from './run-case';
import { PrivatePostgres, PrivateRedis, REPO, SingleBroker, ThreeBrokers } from './services';
import { ChaosStack } from './stack';

/**
 * Runs chaos cases on private services: the single-broker cases on one stack (a broker behind a
 * proxy, private Postgres and Redis, the three apps as processes), then the cluster cases on a
 * second stack over three brokers. Everything started here is stopped at the end, whatever happens.
 */
export interface SuiteOptions {
  readonly cases: readonly ChaosCase[];
  readonly say: (line: string) => void;
  /** Logs of the apps, fixtures and the build: default .local/chaos/<time>. */
  readonly runDir?: string;
  readonly progress?: boolean;
  /** Which code the apps run: the checkout as it is (default) or its last commit. */
  readonly code?: 'worktree' | 'head';
}

/** What a run started and must stop, also when the process is interrupted (see main.ts). */
const pending = new Set<() => Promise<unknown>>();

export const emergencyCleanup = async (): Promise<void> => {
  for (const cleanup of [...pending].reverse()) await cleanup().catch(() => undefined);
  pending.clear();
};

export const runChaosSuite = async (options: SuiteOptions): Promise<CaseResult[]> => {
  const { say } = options;
  const runDir = options.runDir ?? join(REPO, '.local', 'chaos', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(runDir, { recursive: true });
  const distDir = buildSnapshot(runDir, options.code ?? 'worktree');
  say(`[chaos] apps built from the ${options.code === 'head' ? 'last commit' : 'working tree'} into ${distDir}; logs in ${runDir}`);
  const results: CaseResult[] = [];
  const cleanups = {
    push: (...fns: (() => Promise<unknown>)[]): void => fns.forEach((fn) => pending.add(fn)),
  };
  const caseOptions = { dataRoot: join(REPO, '.local', 'chaos', 'data'), say, progress: options.progress };
  try {
    const started = Date.now();
    const [postgres, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
    cleanups.push(() => postgres.destroy(), () => redis.destroy());
    say(`[chaos] private Postgres on :${postgres.port}, private Redis on :${redis.port} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

    for (const kind of ['single', 'cluster'] as const) {
      const cases = options.cases.filter((c) => c.kafka === kind);
      if (cases.length === 0) continue;
      const t0 = Date.now();
      const kafka = kind === 'single' ? await SingleBroker.start() : await ThreeBrokers.start();
      cleanups.push(() => kafka.destroy());
      say(`[chaos] ${kind === 'single' ? 'private broker behind a TCP proxy' : 'three-broker cluster'} at ${kafka.brokers.join(',')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      const stack = await ChaosStack.start({ kafka, postgres, redis, distDir, logDir: join(runDir, kind), say: (line) => say(`[chaos] ${line}`) });
      cleanups.push(() => stack.stopApps());
      try {
        for (const chaos of cases) {
          await stack.heal((line) => say(`[chaos] ${line}`));
          const result = await runCase(chaos, stack, caseOptions).catch(
            (error: unknown): CaseResult => {
              const message = error instanceof Error ? error.message : String(error);
              const summary = `FAIL ${chaos.name}: ${message}`;
              say(summary);
              return { name: chaos.name, passed: false, failures: [message], seconds: 0, verification: null, summary };
            },
          );
          results.push(result);
        }
        if (kafka instanceof ThreeBrokers) {
          await kafka.startNode(2).catch((error: Error) => say(`[chaos] restarting node 2 failed: ${error.message}`));
          say(`[chaos] cluster after the run:\n${(await kafka.status()).trimEnd()}`);
        }
      } finally {
        await stack.stopApps();
        await kafka.destroy();
      }
    }
  } finally {
    await emergencyCleanup();
    // The build is only for this run; the app logs stay for diagnosis.
    for (const dir of ['dist', 'src']) rmSync(join(runDir, dir), { recursive: true, force: true });
  }
  return results;
};
