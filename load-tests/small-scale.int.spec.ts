import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEnv } from '@app/testing';
import { scaleOf } from './data/scale';
import { runLoadTest } from './runner/load-test';
import { LedgerFold, parseLedgerLine } from './verify/ledger';
import { verify } from './verify/verify';
import { LocalStack, startLocalStack } from './testing/local-stack';

/**
 * The whole scenario at a small scale (2,000 votes) through the Node runner, against the three
 * apps started in this process on real Kafka, Postgres and Redis, then verified against Postgres,
 * the query API and a recount of the log: CI proof that the runner, the k6 scripts and the
 * verification work together. Latency thresholds are printed, not asserted: this machine is
 * shared; the benchmarks (docs/benchmarks.md) are where speed is judged.
 */
jest.setTimeout(300_000);

describe('a small-scale load run', () => {
  let stack: LocalStack;
  let dir: string;
  const printed: string[] = [];

  beforeAll(async () => {
    stack = await startLocalStack('load-small');
    dir = mkdtempSync(join(tmpdir(), 'load-small-'));
  });

  afterAll(async () => {
    await stack?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('sends every scenario, and the final tallies equal what was sent: lost=0 double_counted=0', async () => {
    // Without a projector nothing can be verified; without the query API its reads and checks are skipped.
    expect({ unavailable: stack.unavailable.filter((reason) => reason.startsWith('projector')) }).toEqual({ unavailable: [] });
    if (stack.queryUrl === undefined) process.stderr.write(`SKIPPED reads and query-API verification: ${stack.unavailable.join('; ')}\n`);
    const outcome = await runLoadTest({
      scale: scaleOf(2_000, 'it-2000'),
      ingestUrl: stack.ingest.url,
      queryUrl: stack.queryUrl,
      databaseUrl: stack.databaseUrl,
      moderatorToken: stack.moderatorToken,
      outDir: join(dir, 'report'),
      dataRoot: join(dir, 'data'),
      verify: true,
      recount: { brokers: testEnv.kafkaBrokers(), topicPrefix: stack.topicPrefix },
      redis: { url: testEnv.redisUrl(), prefix: stack.redisProjectionPrefix },
      catchUpTimeoutSeconds: 60,
      command: 'load-tests/small-scale.int.spec.ts',
      print: (line) => printed.push(line),
    });
    const context = printed.filter((line) => !/^\[\s*\d/.test(line)).join('\n');
    process.stdout.write(`${context}\n`);

    expect({ context, scriptErrors: outcome.report.scriptErrors }).toEqual({ context, scriptErrors: [] });
    expect({ context, failedChecks: outcome.report.checks.filter((c) => c.failed > 0) }).toEqual({ context, failedChecks: [] });
    const reads = stack.queryUrl === undefined ? [] : ['reads'];
    expect(outcome.report.scenarios.map((s) => s.name).sort()).toEqual(['moderation', 'proposals', ...reads, 'registration', 'schedule', 'voteChanges', 'votes']);
    expect(outcome.report.ledger.writes).toBeGreaterThan(1_500);
    expect(outcome.catchUp).toMatchObject({ reached: true });

    const verification = outcome.verification;
    expect(verification).not.toBeNull();
    expect(verification?.sources.map((s) => [s.source, s.skipped === undefined ? 'compared' : 'skipped'])).toEqual([
      ['postgres', 'compared'],
      ['postgres-pairs', 'compared'],
      ['redis', 'compared'],
      ['query-api', stack.queryUrl === undefined ? 'skipped' : 'compared'],
      ['log-recount', 'compared'],
    ]);
    expect({ context, lost: verification?.lost, doubleCounted: verification?.doubleCounted, ok: verification?.ok }).toEqual({ context, lost: 0, doubleCounted: 0, ok: true });
    expect(printed).toContain('lost=0 double_counted=0');

    const html = readFileSync(join(dir, 'report', 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|\ssrc=|\shref=/);
    expect(existsSync(join(dir, 'report', 'report.json'))).toBe(true);

    // The same verification must see a vote the read models never got: the recorded ledger plus
    // one acknowledged-looking change of mind on a pair that exists.
    const entries = readFileSync(join(dir, 'report', 'ledger.ndjson'), 'utf8').split('\n').flatMap((line) => parseLedgerLine(line) ?? []);
    const tampered = new LedgerFold();
    entries.forEach((entry) => tampered.add(entry));
    const last = entries[entries.length - 1];
    tampered.add({ ...last, value: last.value === 'agree' ? 'disagree' : 'agree', qualifications: [], offset: String(BigInt(last.offset ?? '0') + 1_000_000n) });
    const caught = await verify({ slug: outcome.report.run.slug, ledger: tampered, databaseUrl: stack.databaseUrl, settleSeconds: 0 });
    expect({ ok: caught.ok, found: caught.lost + caught.doubleCounted > 0 }).toEqual({ ok: false, found: true });
  });
});
