import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IterationContext, runInIteration } from './adapter/iteration-context';
import { K6Runtime, ScriptInstance, createK6Runtime } from './adapter/k6-runtime';
import { MetricKind, MetricSink, Tags } from './adapter/metric-sink';
import { generateFixtures } from './data/generate';
import { scaleOf } from './data/scale';
import { ENTRY_SCRIPT } from './runner/load-test';
import { parseScenarios } from './runner/scenario-spec';
import { MetricsStore } from './runner/metrics-store';
import { evaluateThresholds, ThresholdSpec } from './runner/thresholds';
import { eventually } from '@app/testing';
import { LocalStack, startLocalStack } from './testing/local-stack';

/**
 * Runs each scenario function of the k6 script (load-tests/k6/consultation.js) through the Node
 * adapter of the k6 API against the real apps, to catch wrong URLs, payloads and checks before
 * an SRE runs them in k6. Every check the scripts make must pass, and each scenario's checks must
 * all have run at least once.
 */
interface Sample {
  readonly metric: string;
  readonly kind: MetricKind;
  readonly value: number;
  readonly tags: Tags;
}

class RecordingSink implements MetricSink {
  readonly samples: Sample[] = [];
  add(metric: string, kind: MetricKind, value: number, tags: Tags): void {
    this.samples.push({ metric, kind, value, tags });
  }
  /** Check name → [passed, failed] since sample `from`. */
  checks(from = 0): Map<string, [number, number]> {
    const checks = new Map<string, [number, number]>();
    for (const s of this.samples.slice(from)) {
      if (s.metric !== 'checks') continue;
      const [passed, failed] = checks.get(s.tags.check) ?? [0, 0];
      checks.set(s.tags.check, s.value === 1 ? [passed + 1, failed] : [passed, failed + 1]);
    }
    return checks;
  }
  /** `name status` of every request since `from`. */
  requests(from = 0): string[] {
    return this.samples.slice(from).filter((s) => s.metric === 'http_reqs').map((s) => `${s.tags.name} ${s.tags.status}`);
  }
}

jest.setTimeout(180_000);

describe('the k6 scripts, run through the Node adapter against the real apps', () => {
  let stack: LocalStack;
  let dir: string;
  let runtime: K6Runtime;
  let script: ScriptInstance;
  let data: unknown;
  let registrations: number;
  let proposals: number;
  const sink = new RecordingSink();
  const printed: string[] = [];
  let nextIteration = 0;

  /** One iteration of `fn` as scenario `scenario` on VU `vu`, like k6 would call it. */
  const iterate = (instance: ScriptInstance, fn: string, scenario: string, iterationInTest = nextIteration++, vu = 1): Promise<unknown> => {
    const context: IterationContext = {
      scenario: { name: scenario, executor: 'test', startTime: 0, iterationInTest, iterationInInstance: iterationInTest, progress: 0 },
      vu: { idInTest: vu, idInInstance: vu, iterationInScenario: iterationInTest, iterationInInstance: iterationInTest },
    };
    return runInIteration(context, () => instance.call(fn, data));
  };

  /** Runs `work`, then expects every check it made to pass and each of `expected` to have run. */
  const expectChecks = async (expected: readonly string[], work: () => Promise<unknown>): Promise<void> => {
    const from = sink.samples.length;
    await work();
    const checks = sink.checks(from);
    const failed = [...checks].filter(([, [, f]]) => f > 0).map(([name, [p, f]]) => `${name}: ${f} failed, ${p} passed`);
    const context = { requests: sink.requests(from).slice(0, 40), logs: printed.slice(-5) };
    expect({ failed, context }).toEqual({ failed: [], context });
    expect([...checks.keys()].sort()).toEqual(expect.arrayContaining([...expected].sort()));
  };

  /** Reads follow the projection: wait until the query API shows the consultation with votes. */
  const untilProjected = (queryUrl: string): Promise<void> =>
    eventually(async () => {
      const slug = Reflect.get(data as object, 'slug') as string;
      const response = await fetch(`${queryUrl}/v1/consultations/${slug}/stats`);
      const body = (await response.json()) as { votes?: number; proposals?: { accepted?: number } };
      expect({ status: response.status, votes: (body.votes ?? 0) > 0, accepted: (body.proposals?.accepted ?? 0) > 0 }).toEqual({ status: 200, votes: true, accepted: true });
    }, { timeoutMs: 30_000, intervalMs: 200 });

  beforeAll(async () => {
    stack = await startLocalStack('k6-adapter');
    dir = mkdtempSync(join(tmpdir(), 'k6-adapter-'));
    const { manifest } = generateFixtures(scaleOf(300, 'adapter'), dir, 7);
    registrations = manifest.participants;
    proposals = manifest.proposals;
    runtime = createK6Runtime({
      entry: ENTRY_SCRIPT,
      env: {
        DATA_DIR: dir,
        INGEST_URL: stack.ingest.url,
        QUERY_URL: stack.queryUrl ?? 'http://127.0.0.1:9',
        MODERATOR_TOKEN: stack.moderatorToken,
        LEDGER: '1',
        CHANGE_MISMATCH_SHARE: '1',
        CHANGE_REPEAT_SHARE: '1',
        CHANGE_RETRACT_SHARE: '1',
      },
      sink,
      onConsole: (_level, line) => printed.push(line),
    });
    script = runtime.instantiate();
    data = await script.call('setup');
  });

  afterAll(async () => {
    runtime?.close();
    await stack?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('exports options the runner can execute, with thresholds it can evaluate', () => {
    const scenarios = parseScenarios(script.exports.options);
    expect(scenarios.map((s) => `${s.name}:${s.exec}`)).toEqual([
      'schedule:schedule',
      'registration:register',
      'proposals:propose',
      'moderation:moderate',
      'votes:vote',
      'voteChanges:changeVote',
      'reads:read',
    ]);
    for (const { exec } of scenarios) expect(typeof script.exports[exec]).toBe('function');
    const thresholds = Reflect.get(script.exports.options as object, 'thresholds') as Record<string, ThresholdSpec[]>;
    expect(() => evaluateThresholds(thresholds, new MetricsStore(() => 0), 1)).not.toThrow();
  });

  it('schedules the consultation and registers every fixture, ambiguous postal codes refused with candidates', async () => {
    await expectChecks(['consultation scheduled (201, or 409 for an existing SLUG)'], () => iterate(script, 'schedule', 'schedule'));
    await expectChecks(['participant registered (201 with token, expected tier)', 'ambiguous postal code refused (422 with candidates)'], async () => {
      for (let i = 0; i < registrations; i += 10) {
        await Promise.all(Array.from({ length: Math.min(10, registrations - i) }, (_, j) => iterate(script, 'register', 'registration', i + j, j + 1)));
      }
    });
  });

  it('submits every proposal: valid texts await moderation, rule breakers get 422 on /text', async () => {
    await expectChecks(['proposal submitted (202 pending, with id and position)', 'rule-breaking proposal refused (422 on /text)'], async () => {
      for (let i = 0; i < proposals; i++) await iterate(script, 'propose', 'proposals', i);
    });
  });

  it('moderates the queue: accepts most proposals and refuses the others with a reason', async () => {
    await expectChecks(['moderation queue read (200 with items)', 'moderation decision acknowledged (202)'], () => iterate(script, 'moderate', 'moderation'));
    expect(sink.requests().filter((r) => r.startsWith('accept 202')).length).toBeGreaterThan(0);
  });

  it('votes, changes votes and retracts them, printing a ledger line per acknowledged write', async () => {
    const ledgerBefore = printed.filter((line) => line.startsWith('LEDGER\t')).length;
    await expectChecks(['vote acknowledged (202 with position)'], async () => {
      for (let i = 0; i < 12; i++) await iterate(script, 'vote', 'votes', i, (i % 3) + 1);
    });
    await expectChecks(['vote acknowledged (202 with position)', 'mismatched qualification refused (422)', 'retraction acknowledged (202 with position)'], () =>
      iterate(script, 'changeVote', 'voteChanges', 0),
    );
    expect(printed.filter((line) => line.startsWith('LEDGER\t')).length - ledgerBefore).toBe(12 + 4);
  });

  it('reads stats, a proposal, results, a sequence and my votes in their documented shapes', async () => {
    if (stack.queryUrl === undefined) {
      process.stderr.write(`SKIPPED read checks: ${stack.unavailable.join('; ')}\n`);
      return;
    }
    await untilProjected(stack.queryUrl);
    await expectChecks(
      [
        'stats read (200, votes, byTier, asOf)',
        'proposal detail read (200, tallies overall and per tier)',
        'results read (200, overall, byTier, asOf)',
        'sequence read (200, private)',
        'my-votes read (200, private)',
      ],
      async () => {
        for (const fn of ['readStats', 'readProposal', 'readResults', 'readSequence', 'readMyVotes']) await iterate(script, fn, 'reads');
      },
    );
  });

  it('recovers in a fresh VU what k6 VUs do not share: the token by replaying registration, proposals from the query API', async () => {
    if (stack.queryUrl === undefined) {
      process.stderr.write(`SKIPPED fresh-VU recovery: ${stack.unavailable.join('; ')}\n`);
      return;
    }
    const fresh = runtime.instantiate();
    const from = sink.samples.length;
    await expectChecks(['participant token recovered (201, same tier)', 'accepted proposals listed (200 with items)', 'vote acknowledged (202 with position)'], () =>
      iterate(fresh, 'vote', 'votes', 100, 99),
    );
    expect(sink.requests(from)).toEqual(expect.arrayContaining(['participant-token 201', 'proposals-list 200', 'vote 202']));
  });
});
