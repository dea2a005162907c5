import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { ConsoleLevel } from '../adapter/metric-sink';
import { runInIteration } from '../adapter/iteration-context';
import { createK6Runtime } from '../adapter/k6-runtime';
import { LEDGER_PREFIX, LedgerFold, RUN_PREFIX, parseLedgerLine } from '../verify/ledger';
import { AckTracker } from './ack-tracker';
import { ExecutionState, Iterate, runScenario } from './executors';
import { LagProbe } from './lag-probes';
import { MetricsStore, Second } from './metrics-store';
import { ScenarioSpec, parseScenarios, scenarioSeconds } from './scenario-spec';
import { ThresholdResult, ThresholdSpec, evaluateThresholds } from './thresholds';

/**
 * One run of a k6 script by the Node runner: load the script once (all VUs share its memory,
 * see k6/lib/memory.js), call setup(), start every scenario at its startTime with its executor,
 * and sample metrics, ledger and projection lag every second.
 */
export interface LagSample {
  readonly second: number;
  readonly source: string;
  readonly events: number;
  readonly seconds: number;
}

export interface ProgressSnapshot {
  readonly elapsedSeconds: number;
  readonly plannedSeconds: number;
  readonly running: readonly string[];
  readonly last: Second;
  readonly totals: { readonly requests: number; readonly failed: number; readonly checksFailed: number; readonly voteWrites: number; readonly dropped: number; readonly scriptErrors: number };
  readonly vus: number;
  readonly generatorCpu: number;
  readonly lag: readonly LagSample[];
}

export interface RunLoadOptions {
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
  readonly onLog?: (level: ConsoleLevel, line: string) => void;
  readonly onLedgerLine?: (line: string) => void;
  readonly onSecond?: (snapshot: ProgressSnapshot) => void;
  /** Lag probes, made once setup() has named the consultation. */
  readonly lagProbes?: (setupData: unknown) => readonly LagProbe[];
  readonly maxSockets?: number;
}

export interface RunLoadResult {
  readonly store: MetricsStore;
  readonly scenarios: readonly ScenarioSpec[];
  readonly thresholds: readonly ThresholdResult[];
  readonly setupData: unknown;
  readonly ledger: LedgerFold;
  readonly acks: AckTracker;
  readonly lag: LagSample[];
  readonly probes: readonly LagProbe[];
  readonly startedAt: string;
  readonly durationSeconds: number;
  /** CPU time of the load generator (this process) during the run: is the generator the bottleneck? */
  readonly generatorCpuSeconds: number;
  readonly scriptErrors: readonly { readonly scenario: string; readonly message: string; readonly count: number }[];
  readonly interrupted: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const runLoad = async (options: RunLoadOptions): Promise<RunLoadResult> => {
  // t = 0 is reset when the scenarios start (after loading the script and setup()).
  let started = performance.now();
  let startedAt = new Date().toISOString();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const store = new MetricsStore(() => performance.now() - started);
  const ledger = new LedgerFold();
  const acks = new AckTracker();
  const errors = new Map<string, { scenario: string; message: string; count: number }>();
  const log = options.onLog ?? ((level, line) => process.stderr.write(`[${level}] ${line}\n`));
  const state: ExecutionState = { aborted: false, activeVus: 0, nextVuId: 0, interrupted: 0 };
  let cpuAtStart = process.cpuUsage();

  const runtime = createK6Runtime({
    entry: options.entry,
    env: options.env,
    sink: store,
    maxSockets: options.maxSockets,
    onConsole: (level, line) => {
      if (line.startsWith(RUN_PREFIX)) options.onLedgerLine?.(line);
      if (!line.startsWith(LEDGER_PREFIX)) return log(level, line);
      const entry = parseLedgerLine(line);
      if (entry === undefined) return log('error', `unreadable ledger line: ${line}`);
      ledger.add(entry);
      if (entry.topic !== null && entry.partition !== null && entry.offset !== null) acks.acknowledged(entry.topic, entry.partition, entry.offset, Date.now());
      options.onLedgerLine?.(line);
    },
    hooks: {
      abort: (reason) => {
        state.aborted = true;
        log('error', `test aborted by the script${reason === undefined ? '' : `: ${reason}`}`);
      },
      instance: () => ({ iterationsInterrupted: state.interrupted, iterationsCompleted: 0, vusActive: state.activeVus, vusInitialized: state.nextVuId, currentTestRunDuration: elapsed() * 1000 }),
    },
  });
  try {
    const script = runtime.instantiate();
    const scenarios = parseScenarios(script.exports.options);
    const thresholdSpecs = (isRecord(script.exports.options) && isRecord(script.exports.options.thresholds) ? script.exports.options.thresholds : {}) as Record<string, ThresholdSpec[]>;
    const setupData = typeof script.exports.setup === 'function' ? await script.call('setup') : undefined;
    const probes = options.lagProbes?.(setupData) ?? [];
    started = performance.now();
    startedAt = new Date().toISOString();
    cpuAtStart = process.cpuUsage();
    const plannedSeconds = Math.max(...scenarios.map((s) => s.startSeconds + scenarioSeconds(s)));
    const running = new Set<string>();
    const lag: LagSample[] = [];

    const iterate: Iterate = async (spec, vu, iterationInTest, progress) => {
      const begun = performance.now();
      const context = {
        scenario: { name: spec.name, executor: spec.executor, startTime: spec.startSeconds * 1000, iterationInTest, iterationInInstance: iterationInTest, progress },
        vu: { idInTest: vu.idInTest, idInInstance: vu.idInTest, iterationInScenario: vu.iterations, iterationInInstance: vu.iterations },
      };
      vu.iterations += 1;
      try {
        await runInIteration(context, () => script.call(spec.exec, setupData));
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message).split('\n').slice(0, 3).join(' | ') : String(error);
        const key = `${spec.name}|${message}`;
        const known = errors.get(key);
        if (known === undefined) {
          errors.set(key, { scenario: spec.name, message, count: 1 });
          log('error', `${spec.name}: ${message}`);
        } else known.count += 1;
        store.add('iteration_errors', 'counter', 1, { scenario: spec.name });
      }
      store.add('iterations', 'counter', 1, { scenario: spec.name });
      store.add('iteration_duration', 'trend', performance.now() - begun, { scenario: spec.name });
    };

    let sampling = false;
    let cpu = { usage: process.cpuUsage(), at: performance.now() };
    const tick = async (): Promise<void> => {
      const second = Math.floor(elapsed());
      store.second(second).vus = state.activeVus;
      const now = { usage: process.cpuUsage(), at: performance.now() };
      const used = now.usage.user + now.usage.system - cpu.usage.user - cpu.usage.system;
      store.second(second).generatorCpu = used / 1000 / Math.max(1, now.at - cpu.at);
      cpu = now;
      if (!sampling) {
        sampling = true;
        for (const probe of probes) {
          const sample = await probe.sample(acks, Date.now()).catch(() => undefined);
          if (sample !== undefined) lag.push({ second, source: probe.source, ...sample });
        }
        sampling = false;
      }
      options.onSecond?.({
        elapsedSeconds: elapsed(),
        plannedSeconds,
        running: [...running],
        last: store.second(Math.max(0, second - 1)),
        totals: {
          requests: store.select('http_reqs').sum,
          failed: store.select('http_req_failed').sum,
          checksFailed: store.select('checks').count - store.select('checks').sum,
          voteWrites: store.select('vote_writes_acknowledged').sum,
          dropped: store.select('dropped_iterations').sum,
          scriptErrors: store.select('iteration_errors').sum,
        },
        vus: state.activeVus,
        generatorCpu: store.second(second).generatorCpu,
        lag: probes.flatMap((probe) => lag.filter((sample) => sample.source === probe.source).slice(-1)),
      });
    };
    const ticker = setInterval(() => void tick(), 1000);
    try {
      await Promise.all(
        scenarios.map(async (spec) => {
          await delay(spec.startSeconds * 1000);
          running.add(spec.name);
          await runScenario(spec, state, iterate, store);
          running.delete(spec.name);
        }),
      );
    } finally {
      clearInterval(ticker);
    }
    const durationSeconds = elapsed();
    const used = process.cpuUsage(cpuAtStart);
    return {
      generatorCpuSeconds: (used.user + used.system) / 1e6,
      store,
      scenarios,
      thresholds: evaluateThresholds(thresholdSpecs, store, durationSeconds),
      setupData,
      ledger,
      acks,
      lag,
      probes,
      startedAt,
      durationSeconds,
      scriptErrors: [...errors.values()],
      interrupted: state.interrupted,
    };
  } finally {
    runtime.close();
  }
};
