import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The metrics the apps really export, read from their sources (never a list kept by hand):
 * every `new Counter|Gauge|Histogram|Summary({ name, labelNames })` (or `new PromCounter…`, the
 * alias used where a class of the same name exists) under apps/ and libs/, and
 * prom-client's default metrics (collectDefaultMetrics in libs/observability) from its own files.
 */
export const REPO = join(__dirname, '..', '..', '..');

export interface ExportedMetric {
  /** The series name as scraped (a histogram's _bucket/_sum/_count each have an entry). */
  readonly name: string;
  readonly labels: ReadonlySet<string>;
  /** Where it is declared, relative to the repository. */
  readonly source: string;
}

/** Labels every series has: the registry's default label and the ones the scrape adds. */
export const COMMON_LABELS = ['app', 'job', 'instance'] as const;

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'test' ? [] : walk(path);
    return entry.name.endsWith('.ts') && !/\.(spec|bench)\.ts$/.test(entry.name) ? [path] : [];
  });

/** The text of the object literal starting at the first `{` at or after `from` (braces balanced). */
const objectLiteralAt = (text: string, from: number): string => {
  const start = text.indexOf('{', from);
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  throw new Error(`unbalanced braces after offset ${from}`);
};

const seriesOf = (kind: string, name: string, labels: string[], source: string): ExportedMetric[] => {
  const base = new Set([...labels, ...COMMON_LABELS]);
  if (kind === 'Histogram') {
    return [
      { name: `${name}_bucket`, labels: new Set([...base, 'le']), source },
      { name: `${name}_sum`, labels: base, source },
      { name: `${name}_count`, labels: base, source },
    ];
  }
  if (kind === 'Summary') {
    return [
      { name, labels: new Set([...base, 'quantile']), source },
      { name: `${name}_sum`, labels: base, source },
      { name: `${name}_count`, labels: base, source },
    ];
  }
  return [{ name, labels: base, source }];
};

/** Metrics declared with prom-client in apps/** and libs/** (non-test sources). */
export const appMetrics = (): ExportedMetric[] =>
  [join(REPO, 'apps'), join(REPO, 'libs')].flatMap(walk).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const source = relative(REPO, file);
    return [...text.matchAll(/new\s+(?:Prom)?(Counter|Gauge|Histogram|Summary)\b(?:<[^>]*>)?\s*\(/g)].flatMap((match) => {
      const literal = objectLiteralAt(text, match.index ?? 0);
      const name = /\bname:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/.exec(literal)?.[1];
      if (!name) throw new Error(`${source}: a ${match[1]} without a literal name: the metric check cannot see it`);
      const labelList = /\blabelNames:\s*\[([^\]]*)\]/.exec(literal)?.[1] ?? '';
      const labels = [...labelList.matchAll(/'([a-zA-Z_][a-zA-Z0-9_]*)'/g)].map((m) => m[1]);
      return seriesOf(match[1], name, labels, source);
    });
  });

/** prom-client's default metrics (names are constants in node_modules/prom-client/lib/metrics). */
export const defaultMetrics = (): ExportedMetric[] => {
  const dir = join(REPO, 'node_modules', 'prom-client', 'lib', 'metrics');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.js'))
    .flatMap((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const kind = /new Histogram\(/.test(text) ? 'Histogram' : 'Gauge';
      const labels = [...text.matchAll(/labelNames:\s*\[([^\]]*)\]/g)].flatMap((m) => [...m[1].matchAll(/'([a-z_]+)'/g)].map((l) => l[1]));
      return [...text.matchAll(/const [A-Z_0-9]+ = '((?:nodejs|process)_[a-z0-9_]+)'/g)].flatMap((m) =>
        seriesOf(kind, m[1], labels, `node_modules/prom-client/lib/metrics/${file}`),
      );
    });
};

/** Series Prometheus itself adds to every scrape target. */
export const prometheusSeries = (): ExportedMetric[] => [
  { name: 'up', labels: new Set(['job', 'instance']), source: 'Prometheus (scrape health)' },
];

let scanned: Map<string, ExportedMetric> | undefined;
/** Every series name a scrape of the apps can return (scanned once per test file). */
export const exportedMetrics = (): Map<string, ExportedMetric> =>
  (scanned ??= new Map([...appMetrics(), ...defaultMetrics(), ...prometheusSeries()].map((m) => [m.name, m])));

/** Values of `app` (the name each app gives observability()). */
export const appNames = (): string[] =>
  readdirSync(join(REPO, 'apps')).flatMap((app) => {
    const dir = join(REPO, 'apps', app, 'src');
    return readdirSync(dir)
      .filter((f) => f.endsWith('.module.ts'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/observability\(\{\s*app:\s*'([a-z-]+)'/g)].map((m) => m[1]));
  });

/** The numeric fields of the appender's stats snapshot: the values of `ingest_appender_stats{stat}`. */
export const appenderStatNames = (): string[] => {
  const text = readFileSync(join(REPO, 'libs/kafka/src/appender-stats.ts'), 'utf8');
  const body = /interface AppenderStatsSnapshot \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? '';
  return [...body.matchAll(/readonly (\w+): number;/g)].map((m) => m[1]);
};

// --- PromQL -------------------------------------------------------------------------------------

/** PromQL's own words: functions, aggregations, operators and modifiers (not metric names). */
const PROMQL_WORDS = new Set([
  ...['sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group'],
  ...['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset'],
  ...['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'histogram_quantile', 'absent', 'absent_over_time'],
  ...['max_over_time', 'min_over_time', 'avg_over_time', 'sum_over_time', 'count_over_time', 'last_over_time'],
  ...['clamp_min', 'clamp_max', 'abs', 'ceil', 'floor', 'round', 'time', 'vector', 'scalar', 'label_replace', 'changes', 'resets'],
  ...['humanize', 'humanizePercentage', 'humanizeDuration', 'inf', 'nan'],
]);

export interface Selector {
  readonly metric: string;
  readonly matchers: readonly { label: string; op: string; value: string }[];
}

/** Metric selectors of an expression: every identifier that is not PromQL, with its {matchers}. */
export const selectorsOf = (expr: string): Selector[] => {
  const withoutGroupings = expr.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const withoutRanges = withoutGroupings.replace(/\[[^\]]*\]/g, ' ');
  const selectors: Selector[] = [];
  const pattern = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?|\{[^}]*\}|"(?:[^"\\]|\\.)*"|[0-9.]+(?:e[0-9]+)?/g;
  for (const m of withoutRanges.matchAll(pattern)) {
    const [, identifier, braces] = m;
    if (!identifier || PROMQL_WORDS.has(identifier)) continue;
    const matchers = [...(braces ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map((x) => ({
      label: x[1],
      op: x[2],
      value: x[3],
    }));
    selectors.push({ metric: identifier, matchers });
  }
  return selectors;
};

/** Literal values a matcher can match: `a|b|c` of plain words, else undefined (a real regex). */
export const literalAlternatives = (op: string, value: string): string[] | undefined => {
  if (op === '=' || op === '!=') return [value];
  return /^[a-zA-Z0-9_-]+(\|[a-zA-Z0-9_-]+)*$/.test(value) ? value.split('|') : undefined;
};

// --- docs/operations.md anchors ---------------------------------------------------------------

/** GitHub's heading anchors of a Markdown file (lower case, punctuation dropped, spaces → '-'). */
export const markdownAnchors = (markdown: string): Set<string> => {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
};
