import { MetricKind, MetricSink, Tags } from '../adapter/metric-sink';
import { Histogram, HistogramSummary } from './histogram';

/**
 * Every sample of a run, aggregated two ways: per series (metric + the tags thresholds select
 * on) for the final figures and thresholds, and per second of the run for the charts and the
 * progress line. Samples are not kept.
 */
const SERIES_TAGS = ['scenario', 'name', 'method', 'status', 'expected_response', 'check'] as const;

export interface Series {
  readonly metric: string;
  readonly kind: MetricKind;
  readonly tags: Tags;
  readonly histogram: Histogram;
  /** counter: sum; rate: number of non-zero samples; gauge: last value. */
  value: number;
  samples: number;
}

export interface Aggregate {
  readonly kind: MetricKind | undefined;
  readonly count: number;
  readonly sum: number;
  readonly rate: number;
  readonly histogram: Histogram;
  readonly last: number;
}

/** One second of the run, as the charts and the progress line need it. */
export class Second {
  readonly requests = new Map<string, number>();
  readonly failures = new Map<string, number>();
  readonly latency = new Map<string, Histogram>();
  readonly iterations = new Map<string, number>();
  readonly dropped = new Map<string, number>();
  checksFailed = 0;
  checks = 0;
  voteWrites = 0;
  vus = 0;
  /** CPU of the load generator itself (this process), in cores: 1 = one core busy. */
  generatorCpu = 0;
}

const bump = (map: Map<string, number>, key: string, n = 1): void => {
  map.set(key, (map.get(key) ?? 0) + n);
};

export class MetricsStore implements MetricSink {
  private readonly series = new Map<string, Series>();
  readonly seconds: Second[] = [];

  /** @param elapsedMs ms since the start of the run, for the per-second buckets */
  constructor(private readonly elapsedMs: () => number) {}

  add(metric: string, kind: MetricKind, value: number, tags: Tags): void {
    const key = `${metric}\u0001${SERIES_TAGS.map((tag) => tags[tag] ?? '').join('\u0001')}`;
    let series = this.series.get(key);
    if (series === undefined) {
      const kept: Record<string, string> = {};
      for (const tag of SERIES_TAGS) if (tags[tag] !== undefined) kept[tag] = tags[tag];
      series = { metric, kind, tags: kept, histogram: new Histogram(), value: 0, samples: 0 };
      this.series.set(key, series);
    }
    series.samples += 1;
    if (kind === 'trend') series.histogram.record(value);
    else if (kind === 'counter') series.value += value;
    else if (kind === 'rate') series.value += value === 0 ? 0 : 1;
    else series.value = value;
    this.perSecond(metric, value, tags);
  }

  private perSecond(metric: string, value: number, tags: Tags): void {
    const second = this.second(Math.floor(this.elapsedMs() / 1000));
    const scenario = tags.scenario ?? '';
    switch (metric) {
      case 'http_reqs':
        bump(second.requests, tags.name ?? '');
        break;
      case 'http_req_failed':
        if (value !== 0) bump(second.failures, scenario);
        break;
      case 'http_req_duration': {
        const name = tags.name ?? '';
        let histogram = second.latency.get(name);
        if (histogram === undefined) second.latency.set(name, (histogram = new Histogram()));
        histogram.record(value);
        break;
      }
      case 'checks':
        second.checks += 1;
        if (value === 0) second.checksFailed += 1;
        break;
      case 'iterations':
        bump(second.iterations, scenario);
        break;
      case 'dropped_iterations':
        bump(second.dropped, scenario, value);
        break;
      case 'vote_writes_acknowledged':
        second.voteWrites += value;
        break;
      default:
    }
  }

  second(index: number): Second {
    while (this.seconds.length <= index) this.seconds.push(new Second());
    return this.seconds[index];
  }

  /** Every series of `metric` whose tags include all of `filter`, combined. */
  select(metric: string, filter: Readonly<Record<string, string>> = {}): Aggregate {
    const histogram = new Histogram();
    let kind: MetricKind | undefined;
    let count = 0;
    let sum = 0;
    let last = 0;
    for (const series of this.series.values()) {
      if (series.metric !== metric || !Object.entries(filter).every(([tag, value]) => series.tags[tag] === value)) continue;
      kind = series.kind;
      count += series.samples;
      sum += series.value;
      last = series.value;
      histogram.merge(series.histogram);
    }
    return { kind, count, sum, rate: count === 0 ? 0 : sum / count, histogram, last };
  }

  /** Distinct values of `tag` among the series of `metric`. */
  tagValues(metric: string, tag: string): string[] {
    const values = new Set<string>();
    for (const series of this.series.values()) if (series.metric === metric && series.tags[tag] !== undefined) values.add(series.tags[tag]);
    return [...values].sort();
  }

  /** Failed checks, by scenario and check name, for the report. */
  failedChecks(): { scenario: string; check: string; failed: number; total: number }[] {
    const rows = new Map<string, { scenario: string; check: string; failed: number; total: number }>();
    for (const series of this.series.values()) {
      if (series.metric !== 'checks') continue;
      const key = `${series.tags.scenario ?? ''}|${series.tags.check ?? ''}`;
      const row = rows.get(key) ?? { scenario: series.tags.scenario ?? '', check: series.tags.check ?? '', failed: 0, total: 0 };
      row.failed += series.samples - series.value;
      row.total += series.samples;
      rows.set(key, row);
    }
    return [...rows.values()].sort((a, b) => (a.scenario + a.check < b.scenario + b.check ? -1 : 1));
  }
}

export type { HistogramSummary };
