import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import {
  REPO,
  appNames,
  appenderStatNames,
  exportedMetrics,
  literalAlternatives,
  markdownAnchors,
  selectorsOf,
} from './support/exported-metrics';

/**
 * The alert rules, the Prometheus config and the Grafana dashboard of infra/observability: they
 * parse, they only use metrics and labels the apps export (read from the sources), every alert
 * links to a runbook heading that exists, and, when promtool is installed, Prometheus' own checker
 * and rule unit tests pass.
 */
const PROMETHEUS_DIR = join(REPO, 'infra/observability/prometheus');
const DASHBOARD_FILE = join(REPO, 'infra/observability/grafana/consultation-dashboard.json');
const OPERATIONS_DOC = join(REPO, 'docs/operations.md');

interface Rule {
  alert?: string;
  record?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface Target {
  refId?: string;
  expr?: string;
  rawSql?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  gridPos?: { h: number; w: number; x: number; y: number };
  panels?: Panel[];
}
interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels?: Panel[];
  templating?: { list: { name: string; type: string; query?: string; datasource?: { uid?: string } }[] };
}

const rules = (): Rule[] => (load(readFileSync(join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
const dashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
const allPanels = (panels: Panel[] = []): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels)]);
const promTargets = (d: Dashboard): { panel: string; expr: string }[] =>
  allPanels(d.panels).flatMap((p) => (p.targets ?? []).filter((t) => t.expr !== undefined).map((t) => ({ panel: p.title ?? String(p.id), expr: t.expr as string })));

/** Problems of one PromQL expression: unknown metrics, labels the metric does not have, wrong label values. */
const problemsOf = (where: string, expr: string): string[] => {
  const exported = exportedMetrics();
  const apps = new Set(appNames());
  const stats = new Set(appenderStatNames());
  const jobs = new Set(scrapeJobs());
  const problems: string[] = [];
  for (const { metric, matchers } of selectorsOf(expr)) {
    const known = exported.get(metric);
    if (!known) {
      problems.push(`${where}: ${metric} is not exported by the apps`);
      continue;
    }
    for (const { label, op, value } of matchers) {
      if (!known.labels.has(label)) problems.push(`${where}: ${metric} has no label ${label} (it has ${[...known.labels].join(', ')})`);
      const values = literalAlternatives(op, value);
      const domain = label === 'app' ? apps : label === 'job' ? jobs : label === 'stat' ? stats : undefined;
      for (const v of domain && values ? values : []) {
        if (!domain?.has(v)) problems.push(`${where}: ${label}="${v}" never occurs (known: ${[...(domain ?? [])].join(', ')})`);
      }
    }
  }
  return problems;
};

const scrapeJobs = (): string[] =>
  (load(readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string }[] }).scrape_configs.map(
    (c) => c.job_name,
  );

const promtool = ((): string | undefined => {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
})();
const withPromtool = promtool ? it : it.skip;
if (!promtool) {
  console.log('promtool not found on PATH: the promtool checks of infra/test/observability.spec.ts are skipped (apt-get install -y --no-install-recommends prometheus)');
}
const runPromtool = (args: string[], cwd = PROMETHEUS_DIR): string => {
  const result = spawnSync(promtool as string, args, { cwd, encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`promtool ${args.join(' ')} failed:\n${output}`);
  return output;
};

describe('the source scan finds the metrics the apps declare', () => {
  it('sees the HTTP, ingest and projector metrics and prom-client defaults (a broken scan would pass everything)', () => {
    const names = [...exportedMetrics().keys()];
    // Shape checks, not a list of the expected names: each file the apps register metrics in
    // must contribute something, or the scan has stopped seeing it.
    const sources = new Set([...exportedMetrics().values()].map((m) => m.source));
    for (const file of ['libs/http/src/http-metrics.ts', 'apps/ingest-api/src/infrastructure/ingest-metrics.ts', 'apps/projector/src/projector-metrics.ts']) {
      expect(sources).toContain(file);
    }
    expect(names.some((n) => n.startsWith('nodejs_'))).toBe(true);
    expect(names.some((n) => n.endsWith('_bucket'))).toBe(true);
    expect(appNames().sort()).toEqual(['ingest-api', 'projector', 'query-api']);
    expect(appenderStatNames().length).toBeGreaterThan(3);
  });

  it('flags a metric the apps do not export, a label it does not carry and an app that does not exist', () => {
    expect(problemsOf('x', 'sum(rate(http_requests_total{status="500"}[5m]))')).toEqual([]);
    expect(problemsOf('x', 'rate(votes_per_tier_total[5m])')).toEqual(['x: votes_per_tier_total is not exported by the apps']);
    expect(problemsOf('x', 'projector_dead_letters{topic="votes"}')[0]).toMatch(/has no label topic/);
    expect(problemsOf('x', 'up{job="ingest"}')[0]).toMatch(/job="ingest" never occurs/);
  });
});

describe('alert rules (infra/observability/prometheus/alerts.yml)', () => {
  it('parse, and every alert has expr, for, a severity, a summary and a runbook link', () => {
    const all = rules();
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const rule of all) {
      expect(rule).toEqual(
        expect.objectContaining({
          alert: expect.stringMatching(/^[A-Z][A-Za-z0-9]+$/),
          expr: expect.any(String),
          for: expect.stringMatching(/^\d+[smh]$/),
          labels: expect.objectContaining({ severity: expect.stringMatching(/^(warning|critical)$/) }),
          annotations: expect.objectContaining({ summary: expect.any(String), runbook_url: expect.any(String) }),
        }),
      );
    }
    expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
  });

  it('cover what issue 8 asks: lag, dead letters, 5xx, 503, p99, Kafka unavailable, stalled projector, target down', () => {
    const exprs = rules().map((r) => r.expr ?? '');
    const uses = (pattern: RegExp): boolean => exprs.some((e) => pattern.test(e));
    expect(uses(/projector_consumer_lag/)).toBe(true);
    expect(uses(/projector_dead_letters/)).toBe(true);
    expect(uses(/status=~"5\.\."/)).toBe(true);
    expect(uses(/status="503"/)).toBe(true);
    expect(uses(/histogram_quantile\(0\.99/)).toBe(true);
    expect(uses(/ingest_appender_healthy/)).toBe(true);
    expect(uses(/projector_events_applied[\s\S]*projector_consumer_lag/)).toBe(true);
    expect(uses(/\bup\{/)).toBe(true);
  });

  it('link each alert to a heading of docs/operations.md that exists', () => {
    const anchors = markdownAnchors(readFileSync(OPERATIONS_DOC, 'utf8'));
    const broken = rules()
      .map((r) => ({ alert: r.alert, url: r.annotations?.runbook_url ?? '' }))
      .filter(({ url }) => {
        const m = /^docs\/operations\.md#([a-z0-9_-]+)$/.exec(url);
        return !m || !anchors.has(m[1]);
      });
    expect(broken).toEqual([]);
  });

  it('use only metrics, labels and label values the apps and the scrape config really have', () => {
    expect(rules().flatMap((r) => problemsOf(`alert ${r.alert}`, r.expr ?? ''))).toEqual([]);
  });

  withPromtool('pass `promtool check rules` and the rule unit tests (`promtool test rules alerts.test.yml`)', () => {
    expect(runPromtool(['check', 'rules', 'alerts.yml'])).toMatch(/SUCCESS/);
    expect(runPromtool(['test', 'rules', 'alerts.test.yml'])).toMatch(/SUCCESS/);
  });
});

describe('Prometheus config (infra/observability/prometheus/prometheus.yml)', () => {
  it('scrapes the three apps on their local ports, one job per app named like its `app` label, and loads alerts.yml', () => {
    const config = load(readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['alerts.yml']);
    const targets = Object.fromEntries(config.scrape_configs.map((c) => [c.job_name, c.static_configs.flatMap((s) => s.targets)]));
    expect(targets).toEqual({ 'ingest-api': ['127.0.0.1:3000'], 'query-api': ['127.0.0.1:3001'], projector: ['127.0.0.1:3002'] });
    expect(Object.keys(targets).sort()).toEqual(appNames().sort());
  });

  withPromtool('passes `promtool check config`', () => {
    expect(runPromtool(['check', 'config', 'prometheus.yml'])).toMatch(/SUCCESS/);
  });
});

describe('Grafana dashboard (infra/observability/grafana/consultation-dashboard.json)', () => {
  it('has the fields Grafana needs: uid, title, schemaVersion, panels with unique ids, grid positions, datasources and targets', () => {
    const d = dashboard();
    expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(d.title).toEqual(expect.any(String));
    expect(Number.isInteger(d.schemaVersion) && (d.schemaVersion ?? 0) >= 36).toBe(true);
    const panels = allPanels(d.panels);
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const variables = new Set((d.templating?.list ?? []).map((v) => v.name));
    for (const panel of panels) {
      expect(panel.gridPos).toEqual({ h: expect.any(Number), w: expect.any(Number), x: expect.any(Number), y: expect.any(Number) });
      expect((panel.gridPos?.x ?? 0) + (panel.gridPos?.w ?? 0)).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.datasource?.uid).toMatch(/^\$\{\w+\}$/);
      expect(variables).toContain(/^\$\{(\w+)\}$/.exec(panel.datasource?.uid ?? '')?.[1]);
      expect(panel.targets?.length).toBeGreaterThan(0);
      const refIds = (panel.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const target of panel.targets ?? []) expect(target.expr ?? target.rawSql).toEqual(expect.any(String));
    }
  });

  it('shows what issue 8 asks: ingest rate, latency percentiles, lag per partition, projector events/s, errors, dead letters, tallies per tier', () => {
    const exprs = promTargets(dashboard()).map((t) => t.expr);
    const has = (pattern: RegExp): boolean => exprs.some((e) => pattern.test(e));
    expect(has(/messagesAppended/)).toBe(true);
    for (const q of ['0.5', '0.95', '0.99']) expect(has(new RegExp(`histogram_quantile\\(${q.replace('.', '\\.')}, .*http_request_duration_seconds_bucket`))).toBe(true);
    expect(has(/by \(topic, partition\) \(projector_consumer_lag\)/)).toBe(true);
    expect(has(/rate\(projector_events_applied/)).toBe(true);
    expect(has(/status=~"4\.\."/) && has(/status="503"/) && has(/status=~"5\.\."/)).toBe(true);
    expect(has(/projector_dead_letters/)).toBe(true);
    const sql = allPanels(dashboard().panels).flatMap((p) => p.targets ?? []).map((t) => t.rawSql ?? '');
    expect(sql.some((s) => /analytics\.participation_by_tier/.test(s))).toBe(true);
  });

  it('queries only exported metrics and labels in its Prometheus targets', () => {
    expect(promTargets(dashboard()).flatMap(({ panel, expr }) => problemsOf(`panel "${panel}"`, expr))).toEqual([]);
  });

  it('reads only analyst views that the migrations create in its SQL targets', () => {
    const migrations = join(REPO, 'libs/postgres/migrations');
    const views = new Set(
      readdirSync(migrations).flatMap((f) => [...readFileSync(join(migrations, f), 'utf8').matchAll(/CREATE VIEW analytics\.(\w+)/g)].map((m) => m[1])),
    );
    const d = dashboard();
    const sql = [
      ...allPanels(d.panels).flatMap((p) => (p.targets ?? []).map((t) => t.rawSql)),
      ...(d.templating?.list ?? []).filter((v) => v.type === 'query').map((v) => v.query),
    ].filter((s): s is string => typeof s === 'string');
    expect(sql.length).toBeGreaterThan(0);
    for (const s of sql) {
      const relations = [...s.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)\.([a-z_]+)/gi)].map((m) => [m[1], m[2]]);
      expect(relations.length).toBeGreaterThan(0);
      for (const [schema, view] of relations) {
        expect(schema).toBe('analytics');
        expect(views).toContain(view);
      }
    }
  });

  withPromtool('has Prometheus expressions that promtool parses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-exprs-'));
    try {
      const file = join(dir, 'dashboard-exprs.yml');
      const records = promTargets(dashboard()).map((t, i) => ({ record: `dashboard:expr_${i}`, expr: t.expr.replace(/\$__rate_interval|\$__interval/g, '5m') }));
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules: records }] }));
      expect(runPromtool(['check', 'rules', file], dir)).toMatch(new RegExp(`SUCCESS: ${records.length} rules found`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
