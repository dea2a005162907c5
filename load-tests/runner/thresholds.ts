import { Aggregate, MetricsStore } from './metrics-store';

/**
 * k6 thresholds evaluated on the runner's aggregates, with k6's syntax: keys `metric` or
 * `metric{tag:value,…}`, expressions `p(99)<100`, `avg<=20`, `rate<0.01`, `count==0`, …
 * (the subset the scripts use; anything else is refused by name).
 */
export interface ThresholdResult {
  readonly metric: string;
  readonly expression: string;
  readonly observed: number;
  readonly passed: boolean;
}

const KEY = /^([a-z_][a-z0-9_]*)(?:\{([^}]*)\})?$/i;
const EXPRESSION = /^(avg|min|max|med|count|rate|value|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)$/;

export const parseSelector = (key: string): { metric: string; filter: Record<string, string> } => {
  const match = KEY.exec(key.trim());
  if (!match) throw new Error(`threshold key "${key}" is not metric or metric{tag:value}`);
  const filter: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf(':');
    if (at < 0) throw new Error(`threshold key "${key}": "${pair}" is not tag:value`);
    filter[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return { metric: match[1], filter };
};

const observe = (aggregate: Aggregate, statistic: string, percentile: string | undefined, durationSeconds: number): number => {
  if (percentile !== undefined) return aggregate.histogram.percentile(Number(percentile));
  switch (statistic) {
    case 'avg':
      return aggregate.histogram.count === 0 ? Number.NaN : aggregate.histogram.sum / aggregate.histogram.count;
    case 'min':
      return aggregate.histogram.min;
    case 'max':
      return aggregate.histogram.max;
    case 'med':
      return aggregate.histogram.percentile(50);
    case 'count':
      return aggregate.kind === 'trend' ? aggregate.histogram.count : aggregate.sum;
    case 'rate':
      return aggregate.kind === 'counter' ? aggregate.sum / Math.max(durationSeconds, 1e-9) : aggregate.rate;
    case 'value':
      return aggregate.last;
    default:
      throw new Error(`unsupported threshold statistic ${statistic}`);
  }
};

const compare = (observed: number, operator: string, limit: number): boolean => {
  switch (operator) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
    case '===':
      return observed === limit;
    case '!=':
      return observed !== limit;
    default:
      throw new Error(`unsupported threshold operator ${operator}`);
  }
};

/** Threshold values may be strings or `{threshold, abortOnFail}` objects, as in k6. */
export type ThresholdSpec = string | { readonly threshold: string };

export const evaluateThresholds = (
  thresholds: Readonly<Record<string, readonly ThresholdSpec[]>>,
  store: MetricsStore,
  durationSeconds: number,
): ThresholdResult[] =>
  Object.entries(thresholds).flatMap(([key, specs]) => {
    const { metric, filter } = parseSelector(key);
    const aggregate = store.select(metric, filter);
    return specs.map((spec) => {
      const expression = typeof spec === 'string' ? spec : spec.threshold;
      const match = EXPRESSION.exec(expression.replace(/\s+/g, ''));
      if (!match) throw new Error(`threshold "${key}": unsupported expression "${expression}"`);
      const observed = observe(aggregate, match[1].startsWith('p(') ? 'p' : match[1], match[2], durationSeconds);
      // NaN (no sample of a trend) passes, as in k6: a scenario that did not run is not a failure of latency.
      const passed = Number.isNaN(observed) || compare(observed, match[3], Number(match[4]));
      return { metric: key, expression, observed, passed };
    });
  });
