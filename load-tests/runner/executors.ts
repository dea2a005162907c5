import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { MetricSink } from '../adapter/metric-sink';
import { ScenarioSpec, arrivalsBy, scenarioSeconds } from './scenario-spec';

/**
 * k6's executors, open model first: an arrival-rate scenario starts iterations on schedule
 * whatever the system's latency, on an idle VU of its pool (growing up to maxVUs); when none is
 * free the iteration is dropped and counted in `dropped_iterations`, as k6 does. Closed-model
 * executors (constant-vus, shared-iterations) loop their VUs. At the end, running iterations get
 * `gracefulStop` to finish; those still running are counted as interrupted and abandoned.
 */
export interface Vu {
  readonly idInTest: number;
  iterations: number;
}

export interface ExecutionState {
  aborted: boolean;
  activeVus: number;
  nextVuId: number;
  interrupted: number;
}

/** Runs one iteration; must not throw (the caller counts script errors). */
export type Iterate = (spec: ScenarioSpec, vu: Vu, iterationInTest: number, progress: number) => Promise<void>;

const TICK_MS = 5;

const newVu = (state: ExecutionState): Vu => ({ idInTest: ++state.nextVuId, iterations: 0 });

/** Waits for `running` at most `seconds`; what is left is interrupted. */
const stopGracefully = async (running: ReadonlySet<Promise<void>>, seconds: number, state: ExecutionState): Promise<void> => {
  if (running.size === 0) return;
  const deadline = delay(seconds * 1000, 'timeout', { ref: false });
  const outcome = await Promise.race([Promise.all(running).then(() => 'done'), deadline]);
  if (outcome === 'timeout') state.interrupted += running.size;
};

const runArrivals = async (spec: ScenarioSpec, state: ExecutionState, iterate: Iterate, sink: MetricSink): Promise<void> => {
  if (spec.executor !== 'constant-arrival-rate' && spec.executor !== 'ramping-arrival-rate') return;
  const idle: Vu[] = Array.from({ length: spec.preAllocatedVUs }, () => newVu(state));
  let allocated = idle.length;
  const running = new Set<Promise<void>>();
  const seconds = scenarioSeconds(spec);
  const started = performance.now();
  let launched = 0;
  while (!state.aborted) {
    const t = (performance.now() - started) / 1000;
    const due = Math.floor(arrivalsBy(spec, t) + 1e-9);
    while (launched < due) {
      const iteration = launched++;
      let vu = idle.pop();
      if (vu === undefined && allocated < spec.maxVUs) {
        vu = newVu(state);
        allocated += 1;
      }
      if (vu === undefined) {
        sink.add('dropped_iterations', 'counter', 1, { scenario: spec.name });
        continue;
      }
      const worker = vu;
      state.activeVus += 1;
      const run: Promise<void> = iterate(spec, worker, iteration, Math.min(1, t / seconds)).finally(() => {
        state.activeVus -= 1;
        idle.push(worker);
        running.delete(run);
      });
      running.add(run);
    }
    if (t >= seconds) break;
    await delay(TICK_MS);
  }
  await stopGracefully(running, spec.gracefulStopSeconds, state);
};

const runLoops = async (spec: ScenarioSpec, state: ExecutionState, iterate: Iterate): Promise<void> => {
  if (spec.executor !== 'constant-vus' && spec.executor !== 'shared-iterations') return;
  const seconds = scenarioSeconds(spec);
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  let next = 0;
  const more = (): boolean =>
    !state.aborted && elapsed() < seconds && (spec.executor === 'constant-vus' || next < spec.iterations);
  const running = new Set<Promise<void>>();
  const loop = async (vu: Vu): Promise<void> => {
    while (more()) {
      state.activeVus += 1;
      const run = iterate(spec, vu, next++, Math.min(1, elapsed() / seconds));
      running.add(run);
      await run.finally(() => {
        state.activeVus -= 1;
        running.delete(run);
      });
    }
  };
  const loops = Promise.all(Array.from({ length: spec.vus }, () => loop(newVu(state))));
  const ends = delay(seconds * 1000, 'end', { ref: false });
  if ((await Promise.race([loops.then(() => 'done'), ends])) === 'end') await stopGracefully(running, spec.gracefulStopSeconds, state);
};

export const runScenario = (spec: ScenarioSpec, state: ExecutionState, iterate: Iterate, sink: MetricSink): Promise<void> =>
  spec.executor === 'constant-arrival-rate' || spec.executor === 'ramping-arrival-rate' ? runArrivals(spec, state, iterate, sink) : runLoops(spec, state, iterate);
