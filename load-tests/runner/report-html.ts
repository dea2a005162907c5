import { RunReport } from './report';
import { ChartSeries, escapeXml, lineChart } from './svg-chart';

/**
 * The run report as one self-contained HTML page: inline CSS and SVG, no script, no network.
 * Sections: verdict, charts (throughput, latency, errors, projection lag, VUs), then tables.
 */
const fmt = (n: number | undefined, digits = 1): string => (n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits }));

const table = (headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string =>
  rows.length === 0
    ? '<p class="muted">none</p>'
    : `<table><thead><tr>${headers.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((row) => `<tr>${row.map((cell) => `<td>${escapeXml(typeof cell === 'number' ? fmt(cell, 3) : cell)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;

const series = (report: RunReport, label: string, value: (point: RunReport['timeline'][number]) => number): ChartSeries => ({
  label,
  points: report.timeline.map((point) => [point.t, value(point)] as const),
});

const sum = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);

const busiestNames = (report: RunReport, names: readonly string[]): string[] => names.filter((name) => report.requests.some((r) => r.name === name && r.count > 0));

const charts = (report: RunReport): string[] => {
  const writes = busiestNames(report, ['vote', 'retract', 'register', 'propose', 'accept', 'refuse']);
  const reads = busiestNames(report, ['stats', 'proposal', 'sequence', 'results', 'my-votes', 'proposals-list']);
  const lagSources = [...new Set(report.lag.map((l) => l.source))];
  const lagSeries = (key: 'events' | 'seconds'): ChartSeries[] =>
    lagSources.map((source) => ({ label: source, points: report.lag.filter((l) => l.source === source).map((l) => [l.second, l[key]] as const) }));
  return [
    lineChart({
      title: 'Throughput',
      yLabel: 'requests / s',
      series: [
        series(report, 'all requests', (p) => sum(p.requests)),
        series(report, 'vote writes acknowledged', (p) => p.voteWrites),
        ...[...writes, ...reads].slice(0, 6).map((name) => series(report, name, (p) => p.requests[name] ?? 0)),
      ],
    }),
    lineChart({
      title: 'Vote latency (PUT /vote) per second',
      yLabel: 'ms',
      series: (['p50', 'p95', 'p99', 'max'] as const).map((stat) => series(report, stat, (p) => p.latencyMs.vote?.[stat] ?? Number.NaN)),
    }),
    lineChart({ title: 'p99 latency of the other writes', yLabel: 'ms', series: writes.filter((n) => n !== 'vote').map((name) => series(report, name, (p) => p.latencyMs[name]?.p99 ?? Number.NaN)) }),
    lineChart({ title: 'p99 latency of reads', yLabel: 'ms', series: reads.map((name) => series(report, name, (p) => p.latencyMs[name]?.p99 ?? Number.NaN)) }),
    lineChart({
      title: 'Errors',
      yLabel: 'per second',
      series: [
        series(report, 'unexpected status', (p) => sum(p.failed)),
        series(report, 'failed checks', (p) => p.checksFailed),
        series(report, 'dropped iterations', (p) => sum(p.dropped)),
      ],
    }),
    lineChart({ title: 'Projection lag (events acknowledged, not yet projected)', yLabel: 'events', series: lagSeries('events') }),
    lineChart({ title: 'Projection lag (age of the oldest unprojected acknowledgement)', yLabel: 'seconds', series: lagSeries('seconds') }),
    lineChart({ title: 'Busy VUs', yLabel: 'VUs', series: [series(report, 'VUs in an iteration', (p) => p.vus)] }),
    lineChart({ title: 'Load generator CPU (this runner process)', yLabel: 'cores', series: [series(report, 'cores busy', (p) => p.generatorCpu)] }),
  ];
};

export const renderHtml = (report: RunReport): string => {
  const v = report.verification;
  const failedThresholds = report.thresholds.filter((t) => !t.passed);
  const verdict = v === null ? 'not verified' : v.ok ? `verified: lost=${v.lost} double_counted=${v.doubleCounted}` : `VERIFICATION FAILED: lost=${v.lost} double_counted=${v.doubleCounted}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Load test ${escapeXml(report.run.scale)} — ${escapeXml(report.run.startedAt)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:8px 0;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}.ok{color:#1a7f37;font-weight:bold}.bad{color:#c62828;font-weight:bold}.muted{color:#888}
svg{display:block;margin:12px 0;background:#fff}code{background:#f3f3f3;padding:1px 4px}
</style></head><body>
<h1>Load test — scale ${escapeXml(report.run.scale)}, consultation <code>${escapeXml(report.run.slug)}</code></h1>
<p>Started ${escapeXml(report.run.startedAt)}, ran ${fmt(report.run.durationSeconds)} s on ${report.run.host.cpus} CPUs (Node ${escapeXml(report.run.host.node)});
the load generator used ${fmt(report.run.generatorCpuSeconds)} CPU-seconds.
Command: <code>${escapeXml(report.run.command)}</code></p>
<p class="${v?.ok ? 'ok' : 'bad'}">${escapeXml(verdict)}</p>
<p class="${failedThresholds.length === 0 ? 'ok' : 'bad'}">${failedThresholds.length === 0 ? 'all thresholds passed' : `${failedThresholds.length} threshold(s) crossed`}</p>
<p>Projector catch-up after the load: ${report.catchUp === null ? '—' : report.catchUp.reached ? `${fmt(report.catchUp.seconds)} s (${escapeXml(report.catchUp.source)})` : `NOT reached after ${fmt(report.catchUp.seconds)} s, ${report.catchUp.remainingEvents} events behind`}</p>
<h2>Charts</h2>
${charts(report).join('\n')}
<h2>Requests</h2>
${table(['name', 'count', 'unexpected', 'req/s', 'p50 ms', 'p90', 'p95', 'p99', 'p99.9', 'max'], report.requests.map((r) => [r.name, r.count, r.failed, r.perSecond, r.latencyMs.p50, r.latencyMs.p90, r.latencyMs.p95, r.latencyMs.p99, r.latencyMs.p999, r.latencyMs.max]))}
<h2>Thresholds</h2>
${table(['metric', 'threshold', 'observed', 'result'], report.thresholds.map((t) => [t.metric, t.expression, t.observed, t.passed ? 'pass' : 'FAIL']))}
<h2>Verification</h2>
${v === null ? '<p class="muted">not run</p>' : `<p>${v.writes} vote writes (${v.unconfirmedWrites} unconfirmed) on ${v.pairs} pairs; ${v.expectedVotes} current votes expected; ${v.uncertainPairs} uncertain pairs.</p>` + table(['source', 'lost', 'double counted', 'other fields off', 'note'], v.sources.map((s) => [s.source, s.skipped ? '—' : (s.lost ?? 0), s.skipped ? '—' : (s.doubleCounted ?? 0), s.skipped ? '—' : (s.otherFieldsOff ?? 0), s.skipped ?? s.detail ?? '']))}
<h2>Checks with failures</h2>
${table(['scenario', 'check', 'failed', 'of'], report.checks.filter((c) => c.failed > 0).map((c) => [c.scenario, c.check, c.failed, c.total]))}
<h2>Scenarios</h2>
${table(['scenario', 'executor', 'start s', 'duration s', 'iterations', 'dropped', 'script errors', 'iteration p99 ms'], report.scenarios.map((s) => [s.name, s.executor, s.startSeconds, s.seconds, s.iterations, s.dropped, s.scriptErrors, s.iterationMs.p99]))}
<h2>Statuses</h2>
${table(['name', 'status', 'count'], report.statuses.map((s) => [s.name, s.status, s.count]))}
<h2>Script errors</h2>
${table(['scenario', 'message', 'count'], report.scriptErrors.map((e) => [e.scenario, e.message, e.count]))}
<h2>Targets and fixtures</h2>
<pre>${escapeXml(JSON.stringify({ targets: report.run.targets, fixtures: report.run.fixtures }, null, 2))}</pre>
</body></html>
`;
};
