/**
 * The k6 scenario options the runner executes (the executors the scripts use), read from the
 * script's exported `options` and checked here, at the edge, so the executors can trust them.
 */
export interface Stage {
  readonly target: number;
  readonly seconds: number;
}

interface Common {
  readonly name: string;
  readonly exec: string;
  readonly startSeconds: number;
  readonly gracefulStopSeconds: number;
}

export type ScenarioSpec = Common &
  (
    | { readonly executor: 'shared-iterations'; readonly vus: number; readonly iterations: number; readonly maxDurationSeconds: number }
    | { readonly executor: 'constant-vus'; readonly vus: number; readonly durationSeconds: number }
    | { readonly executor: 'constant-arrival-rate'; readonly ratePerSecond: number; readonly durationSeconds: number; readonly preAllocatedVUs: number; readonly maxVUs: number }
    | { readonly executor: 'ramping-arrival-rate'; readonly startRatePerSecond: number; readonly stages: readonly Stage[]; readonly preAllocatedVUs: number; readonly maxVUs: number }
  );

/** "1m30s", "45s", "500ms", "2h" → seconds. */
export const parseDuration = (value: unknown, what: string): number => {
  if (typeof value === 'number') return value / 1000;
  if (typeof value !== 'string' || !/^(\d+(\.\d+)?(h|ms|m|s))+$/.test(value)) throw new Error(`${what}: "${String(value)}" is not a k6 duration`);
  let seconds = 0;
  for (const [, amount, , unit] of value.matchAll(/(\d+(\.\d+)?)(h|ms|m|s)/g)) {
    seconds += Number(amount) * { h: 3600, m: 60, s: 1, ms: 0.001 }[unit as 'h' | 'm' | 's' | 'ms'];
  }
  return seconds;
};

const record = (value: unknown, what: string): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be an object`);
  return value as Record<string, unknown>;
};

const count = (value: unknown, what: string, fallback?: number): number => {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${what} must be a non-negative number`);
  return value;
};

export const parseScenarios = (options: unknown): ScenarioSpec[] => {
  const scenarios = record(record(options, 'options').scenarios, 'options.scenarios');
  return Object.entries(scenarios).map(([name, raw]) => {
    const s = record(raw, `scenario ${name}`);
    const what = (field: string) => `scenario ${name}: ${field}`;
    const perUnit = 1 / parseDuration(s.timeUnit ?? '1s', what('timeUnit'));
    const common: Common = {
      name,
      exec: typeof s.exec === 'string' ? s.exec : 'default',
      startSeconds: parseDuration(s.startTime ?? '0s', what('startTime')),
      gracefulStopSeconds: parseDuration(s.gracefulStop ?? '30s', what('gracefulStop')),
    };
    switch (s.executor) {
      case 'shared-iterations':
        return { ...common, executor: s.executor, vus: count(s.vus, what('vus'), 1), iterations: count(s.iterations, what('iterations'), 1), maxDurationSeconds: parseDuration(s.maxDuration ?? '10m', what('maxDuration')) };
      case 'constant-vus':
        return { ...common, executor: s.executor, vus: count(s.vus, what('vus'), 1), durationSeconds: parseDuration(s.duration, what('duration')) };
      case 'constant-arrival-rate': {
        const preAllocatedVUs = count(s.preAllocatedVUs, what('preAllocatedVUs'));
        return { ...common, executor: s.executor, ratePerSecond: count(s.rate, what('rate')) * perUnit, durationSeconds: parseDuration(s.duration, what('duration')), preAllocatedVUs, maxVUs: count(s.maxVUs, what('maxVUs'), preAllocatedVUs) };
      }
      case 'ramping-arrival-rate': {
        const preAllocatedVUs = count(s.preAllocatedVUs, what('preAllocatedVUs'));
        if (!Array.isArray(s.stages)) throw new Error(what('stages must be a list'));
        const stages = s.stages.map((stage: unknown, i) => {
          const st = record(stage, what(`stages[${i}]`));
          return { target: count(st.target, what(`stages[${i}].target`)) * perUnit, seconds: parseDuration(st.duration, what(`stages[${i}].duration`)) };
        });
        return { ...common, executor: s.executor, startRatePerSecond: count(s.startRate, what('startRate'), 0) * perUnit, stages, preAllocatedVUs, maxVUs: count(s.maxVUs, what('maxVUs'), preAllocatedVUs) };
      }
      default:
        throw new Error(`scenario ${name}: executor ${String(s.executor)} is not supported by the Node runner`);
    }
  });
};

/** How long a scenario lasts, without graceful stop. */
export const scenarioSeconds = (spec: ScenarioSpec): number => {
  switch (spec.executor) {
    case 'shared-iterations':
      return spec.maxDurationSeconds;
    case 'constant-vus':
    case 'constant-arrival-rate':
      return spec.durationSeconds;
    case 'ramping-arrival-rate':
      return spec.stages.reduce((sum, stage) => sum + stage.seconds, 0);
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
};

/** Iterations an arrival-rate scenario starts by `t` seconds after its start (the integral of its rate). */
export const arrivalsBy = (spec: ScenarioSpec, t: number): number => {
  if (spec.executor === 'constant-arrival-rate') return spec.ratePerSecond * Math.min(t, spec.durationSeconds);
  if (spec.executor !== 'ramping-arrival-rate') return 0;
  let total = 0;
  let from = spec.startRatePerSecond;
  let elapsed = 0;
  for (const stage of spec.stages) {
    const span = Math.min(stage.seconds, Math.max(0, t - elapsed));
    if (stage.seconds > 0) total += span * (from + (from + ((stage.target - from) * span) / stage.seconds)) / 2;
    elapsed += stage.seconds;
    from = stage.target;
    if (t <= elapsed) break;
  }
  return total;
};
