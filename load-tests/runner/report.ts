import { HistogramSummary } from './histogram';
import { CatchUp } from './drain';
import { LagSample, RunLoadResult } from './run-load';
import { scenarioSeconds } from './scenario-spec';
import { ThresholdResult } from './thresholds';
import { Verification } from '../verify/verify';

/**
 * Everything a run measured, as one JSON document (report.json) from which the HTML page is
 * drawn. Latencies in ms; per-second series indexed by second since the start of the run.
 */
export interface RunReport {
  readonly run: {
    readonly startedAt: string;
    readonly durationSeconds: number;
    /** CPU-seconds the load generator used: compare with durationSeconds × cores to see if it limited the run. */
    readonly generatorCpuSeconds: number;
    readonly command: string;
    readonly scale: string;
    readonly slug: string;
    readonly targets: Readonly<Record<string, string>>;
    readonly fixtures: unknown;
    readonly host: { readonly cpus: number; readonly node: string; readonly platform: string };
  };
  readonly scenarios: readonly { name: string; executor: string; startSeconds: number; seconds: number; iterations: number; dropped: number; scriptErrors: number; iterationMs: HistogramSummary }[];
  readonly requests: readonly { name: string; count: number; failed: number; perSecond: number; latencyMs: HistogramSummary }[];
  readonly statuses: readonly { name: string; status: string; count: number }[];
  readonly checks: readonly { scenario: string; check: string; failed: number; total: number }[];
  readonly thresholds: readonly ThresholdResult[];
  readonly timeline: readonly {
    t: number;
    requests: Record<string, number>;
    failed: Record<string, number>;
    latencyMs: Record<string, { p50: number; p95: number; p99: number; max: number; count: number }>;
    checksFailed: number;
    voteWrites: number;
    dropped: Record<string, number>;
    vus: number;
    generatorCpu: number;
  }[];
  readonly lag: readonly LagSample[];
  readonly catchUp: CatchUp | null;
  readonly verification: Verification | null;
  readonly scriptErrors: RunLoadResult['scriptErrors'];
  readonly interruptedIterations: number;
  readonly ledger: { readonly writes: number; readonly unconfirmed: number; readonly pairs: number };
}

export interface ReportInputs {
  readonly result: RunLoadResult;
  readonly command: string;
  readonly scale: string;
  readonly slug: string;
  readonly targets: Readonly<Record<string, string>>;
  readonly fixtures: unknown;
  readonly catchUp: CatchUp | null;
  readonly verification: Verification | null;
  readonly host: RunReport['run']['host'];
}

const round = (n: number): number => (Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n);
const rounded = (s: HistogramSummary): HistogramSummary => ({
  count: s.count,
  min: round(s.min),
  max: round(s.max),
  mean: round(s.mean),
  p50: round(s.p50),
  p90: round(s.p90),
  p95: round(s.p95),
  p99: round(s.p99),
  p999: round(s.p999),
});

export const buildReport = ({ result, command, scale, slug, targets, fixtures, catchUp, verification, host }: ReportInputs): RunReport => {
  const { store } = result;
  const names = store.tagValues('http_reqs', 'name');
  const statuses = names.flatMap((name) =>
    store.tagValues('http_reqs', 'status').map((status) => ({ name, status, count: store.select('http_reqs', { name, status }).sum })).filter((row) => row.count > 0),
  );
  return {
    run: { startedAt: result.startedAt, durationSeconds: round(result.durationSeconds), generatorCpuSeconds: round(result.generatorCpuSeconds), command, scale, slug, targets, fixtures, host },
    scenarios: result.scenarios.map((spec) => ({
      name: spec.name,
      executor: spec.executor,
      startSeconds: spec.startSeconds,
      seconds: scenarioSeconds(spec),
      iterations: store.select('iterations', { scenario: spec.name }).sum,
      dropped: store.select('dropped_iterations', { scenario: spec.name }).sum,
      scriptErrors: store.select('iteration_errors', { scenario: spec.name }).sum,
      iterationMs: rounded(store.select('iteration_duration', { scenario: spec.name }).histogram.summary()),
    })),
    requests: names.map((name) => {
      const count = store.select('http_reqs', { name }).sum;
      return {
        name,
        count,
        failed: store.select('http_req_failed', { name }).sum,
        perSecond: round(count / Math.max(1e-9, result.durationSeconds)),
        latencyMs: rounded(store.select('http_req_duration', { name }).histogram.summary()),
      };
    }),
    statuses,
    checks: store.failedChecks(),
    thresholds: result.thresholds,
    timeline: store.seconds.map((second, t) => ({
      t,
      requests: Object.fromEntries(second.requests),
      failed: Object.fromEntries(second.failures),
      latencyMs: Object.fromEntries(
        [...second.latency].map(([name, h]) => [name, { p50: round(h.percentile(50)), p95: round(h.percentile(95)), p99: round(h.percentile(99)), max: round(h.max), count: h.count }]),
      ),
      checksFailed: second.checksFailed,
      voteWrites: second.voteWrites,
      dropped: Object.fromEntries(second.dropped),
      vus: second.vus,
      generatorCpu: round(second.generatorCpu),
    })),
    lag: result.lag,
    catchUp,
    verification,
    scriptErrors: result.scriptErrors,
    interruptedIterations: result.interrupted,
    ledger: { writes: result.ledger.entries, unconfirmed: result.ledger.unconfirmed, pairs: result.ledger.size },
  };
};
