import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureFixtures } from '../data/generate';
import { ScaleSpec } from '../data/scale';
import { Verification, formatVerification, verify } from '../verify/verify';
import { CatchUp, waitForCatchUp } from './drain';
import { LagProbe, postgresCheckpointProbe, queryAsOfProbe } from './lag-probes';
import { progressLine } from './progress';
import { RunReport, buildReport } from './report';
import { renderHtml } from './report-html';
import { runLoad } from './run-load';

/**
 * A whole load test on this machine: fixtures for the scale, the k6 script run by the Node
 * runner against the running apps, the projector's catch-up, verification, and the reports
 * (report.json, report.html, ledger.ndjson) in `outDir`.
 */
export interface LoadTestOptions {
  readonly scale: ScaleSpec;
  readonly seed?: number;
  readonly ingestUrl: string;
  /** Undefined: no query API (reads scenario, query verification and asOf lag are skipped). */
  readonly queryUrl?: string;
  readonly databaseUrl?: string;
  readonly moderatorToken: string;
  readonly outDir: string;
  readonly scenarios?: readonly string[];
  /** Extra k6 environment (rates, SLUG, RUN_ID…). */
  readonly env?: Readonly<Record<string, string>>;
  readonly verify: boolean;
  readonly recount?: { readonly brokers: readonly string[]; readonly topicPrefix: string };
  /** The projector's Redis projection, verified directly when given. */
  readonly redis?: { readonly url: string; readonly prefix: string };
  readonly catchUpTimeoutSeconds: number;
  readonly command: string;
  readonly print: (line: string) => void;
  readonly dataRoot?: string;
}

export interface LoadTestOutcome {
  readonly report: RunReport;
  readonly verification: Verification | null;
  readonly catchUp: CatchUp | null;
  readonly thresholdsPassed: boolean;
  /** 0 all good, 1 verification failed, 99 a threshold was crossed (k6's code). */
  readonly exitCode: number;
}

export const ENTRY_SCRIPT = resolve(__dirname, '..', 'k6', 'consultation.js');

const slugOf = (setupData: unknown): string => {
  const slug = typeof setupData === 'object' && setupData !== null ? Reflect.get(setupData, 'slug') : undefined;
  if (typeof slug !== 'string') throw new Error('setup() returned no slug');
  return slug;
};

export const runLoadTest = async (options: LoadTestOptions): Promise<LoadTestOutcome> => {
  const { print } = options;
  const fixtures = ensureFixtures(options.scale, options.dataRoot, options.seed);
  print(`[load] fixtures ${fixtures.dir}: ${fixtures.manifest.participants} participants, ${fixtures.manifest.proposals} proposals, ${fixtures.manifest.votes} votes`);
  mkdirSync(options.outDir, { recursive: true });
  const ledgerFile = createWriteStream(join(options.outDir, 'ledger.ndjson'));
  const scenarios = options.scenarios ?? (options.queryUrl === undefined ? ['schedule', 'registration', 'proposals', 'moderation', 'votes', 'voteChanges'] : []);
  const env: Record<string, string> = {
    ...options.env,
    DATA_DIR: fixtures.dir,
    INGEST_URL: options.ingestUrl,
    QUERY_URL: options.queryUrl ?? 'http://query-api.not-configured.invalid',
    MODERATOR_TOKEN: options.moderatorToken,
    LEDGER: '1',
    ...(scenarios.length > 0 && { SCENARIOS: scenarios.join(',') }),
  };
  const result = await runLoad({
    entry: ENTRY_SCRIPT,
    env,
    onLog: (level, line) => print(`[${level}] ${line}`),
    onLedgerLine: (line) => ledgerFile.write(`${line}\n`),
    onSecond: (snapshot) => print(progressLine(snapshot)),
    lagProbes: (setupData): LagProbe[] => [
      ...(options.databaseUrl === undefined ? [] : [postgresCheckpointProbe(options.databaseUrl)]),
      ...(options.queryUrl === undefined ? [] : [queryAsOfProbe(options.queryUrl, slugOf(setupData))]),
    ],
  });
  await new Promise<void>((done) => ledgerFile.end(done));
  const slug = slugOf(result.setupData);
  print(`[load] load finished after ${result.durationSeconds.toFixed(1)} s; ${result.ledger.entries} vote writes recorded`);

  let catchUp: CatchUp | null = null;
  const checkpoint = result.probes.find((probe) => probe.source === 'postgres');
  if (checkpoint !== undefined) {
    catchUp = await waitForCatchUp(checkpoint, result.acks, options.catchUpTimeoutSeconds);
    print(`[load] projector ${catchUp.reached ? `caught up ${catchUp.seconds.toFixed(1)} s after the load` : `still ${catchUp.remainingEvents} events behind after ${catchUp.seconds.toFixed(0)} s`}`);
  }
  await Promise.all(result.probes.map((probe) => probe.close()));

  let verification: Verification | null = null;
  if (options.verify) {
    verification = await verify({
      slug,
      ledger: result.ledger,
      databaseUrl: options.databaseUrl,
      queryUrl: options.queryUrl,
      moderatorToken: options.moderatorToken,
      redis: options.redis,
      log: options.recount,
    });
    formatVerification(verification).forEach((line) => print(line));
  }

  const report = buildReport({
    result,
    command: options.command,
    scale: options.scale.name,
    slug,
    targets: { ingest: options.ingestUrl, query: options.queryUrl ?? '(none)', database: options.databaseUrl === undefined ? '(none)' : new URL(options.databaseUrl).host },
    fixtures: fixtures.manifest,
    catchUp,
    verification,
    host: { cpus: cpus().length, node: process.version, platform: process.platform },
  });
  writeFileSync(join(options.outDir, 'report.json'), `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(join(options.outDir, 'report.html'), renderHtml(report));
  const crossed = result.thresholds.filter((t) => !t.passed);
  for (const t of crossed) print(`[threshold] ✗ ${t.metric} ${t.expression} (observed ${Number.isFinite(t.observed) ? t.observed.toFixed(3) : t.observed})`);
  print(`[load] report: ${join(options.outDir, 'report.html')}`);
  const exitCode = verification !== null && !verification.ok ? 1 : crossed.length > 0 ? 99 : 0;
  return { report, verification, catchUp, thresholdsPassed: crossed.length === 0, exitCode };
};
