import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { IterationContext, currentIteration, scenarioTag } from './iteration-context';
import { MetricKind, MetricSink } from './metric-sink';

/**
 * The k6 modules other than k6/http, as far as the scripts use them: `k6` (check, fail, group),
 * `k6/metrics`, `k6/execution`, `k6/data` (SharedArray), `k6/timers`, and the init-context
 * `open()`. Each module is wrapped so that an export the adapter lacks fails loudly by name
 * instead of being `undefined`.
 */
export const strictModule = <T extends object>(specifier: string, exports: T): T =>
  new Proxy(exports, {
    get(target, property, receiver) {
      if (typeof property === 'symbol' || property in target || property === '__esModule' || property === 'then') {
        return Reflect.get(target, property, receiver);
      }
      if (property === 'default') return receiver;
      throw new Error(`k6 adapter: ${specifier} has no "${property}" here; implement it in load-tests/adapter before using it`);
    },
  });

export const createCoreModule = (sink: MetricSink) => ({
  /** k6 check(): one `checks` rate sample per named check, tagged `check`. */
  check<T>(value: T, sets: Record<string, ((value: T) => unknown) | unknown>, tags: Record<string, string> = {}): boolean {
    let all = true;
    for (const [name, test] of Object.entries(sets)) {
      const passed = Boolean(typeof test === 'function' ? test(value) : test);
      sink.add('checks', 'rate', passed ? 1 : 0, { ...scenarioTag(), check: name, ...tags });
      all &&= passed;
    }
    return all;
  },
  fail(message = 'fail() called'): never {
    throw new Error(message);
  },
  /** Synchronous bodies only, like k6 before 2.3 (an async body would leave the group early). */
  group<T>(_name: string, body: () => T): T {
    return body();
  },
});

const metricClass = (sink: MetricSink, kind: MetricKind) =>
  class {
    constructor(readonly name: string) {}
    add(value: number | boolean, tags: Record<string, string> = {}): void {
      sink.add(this.name, kind, Number(value), { ...scenarioTag(), ...tags });
    }
  };

export const createMetricsModule = (sink: MetricSink) => ({
  Counter: metricClass(sink, 'counter'),
  Rate: metricClass(sink, 'rate'),
  Trend: metricClass(sink, 'trend'),
  Gauge: metricClass(sink, 'gauge'),
});

const outside = (): IterationContext => ({
  scenario: { name: '', executor: '', startTime: 0, iterationInTest: 0, iterationInInstance: 0, progress: 0 },
  vu: { idInTest: 0, idInInstance: 0, iterationInScenario: 0, iterationInInstance: 0 },
});

export interface ExecutionHooks {
  /** exec.test.abort(): stop the run. */
  readonly abort: (reason?: string) => void;
  readonly instance: () => { iterationsInterrupted: number; iterationsCompleted: number; vusActive: number; vusInitialized: number; currentTestRunDuration: number };
}

export const createExecutionModule = (hooks: ExecutionHooks) => ({
  get scenario() {
    return (currentIteration() ?? outside()).scenario;
  },
  get vu() {
    return { ...(currentIteration() ?? outside()).vu, tags: {}, metrics: { tags: {}, metadata: {} } };
  },
  get instance() {
    return hooks.instance();
  },
  test: {
    abort: (reason?: string): void => hooks.abort(reason),
    fail: (message?: string): void => hooks.abort(message),
  },
});

/** One copy per name for every script instance of a runtime, as k6 shares it between VUs. */
export const createDataModule = () => {
  const arrays = new Map<string, readonly unknown[]>();
  // A `function` (not an arrow or a class) so that `new SharedArray(...)` returns the array itself.
  const SharedArray = function SharedArray(name: string, load: () => unknown[]): readonly unknown[] {
    let array = arrays.get(name);
    if (array === undefined) {
      array = Object.freeze(load());
      arrays.set(name, array);
    }
    return array;
  };
  return { SharedArray };
};

export const timersModule = { setTimeout, clearTimeout, setInterval, clearInterval };

/** open() of the init context: paths relative to the entry script's folder, as k6 resolves them. */
export const openFrom = (entryDir: string) => (path: string, mode?: 'b'): string | ArrayBuffer => {
  const absolute = isAbsolute(path) ? path : join(entryDir, path);
  if (mode === 'b') {
    const bytes = readFileSync(absolute);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }
  return readFileSync(absolute, 'utf8');
};
