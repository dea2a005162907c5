import { join } from 'node:path';
import { ensureFixtures } from '../data/generate';
import { scaleOf } from '../data/scale';
import { ENTRY_SCRIPT } from '../runner/load-test';
import { waitForCatchUp } from '../runner/drain';
import { runLoad } from '../runner/run-load';
import { parseLedgerLine } from '../verify/ledger';
import { Verification, formatVerification, verify } from '../verify/verify';
import { resilientCheckpointProbe } from './checkpoint-probe';
import { CHAOS_MODERATOR_TOKEN, ChaosStack } from './stack';

/**
 * One chaos case: the load runner's whole scenario (k6/consultation.js: registrations, proposals,
 * moderation, then a TV-peak of votes with vote changes and reads) against the stack, the fault
 * injected a few seconds into the votes, then the projector's catch-up and the load runner's
 * verification (postgres, postgres-pairs, redis, query-api and a recount of the log): every
 * acknowledged vote (202 with its log position) must be in the log and in every tally.
 */
export interface FaultWindow {
  /** When the fault began and when the system was whole again (ms since the epoch). */
  readonly from: number;
  readonly to: number;
}

export interface CaseContext {
  readonly stack: ChaosStack;
  readonly say: (line: string) => void;
  /** Acknowledged vote writes so far. */
  readonly acknowledged: () => number;
}

export interface ChaosCase {
  readonly name: string;
  /** What the case does, one line. */
  readonly title: string;
  readonly kafka: 'single' | 'cluster';
  /** Votes of the load and its peak rate (votes/s): the votes phase lasts about votes / (0.525 × peak) s. */
  readonly votes: number;
  readonly votePeakRate: number;
  /** Seconds after the votes phase starts when the fault is injected. */
  readonly faultAfterSeconds: number;
  /** Injects the fault and repairs what must be repaired; resolves once the system is whole again. */
  inject(ctx: CaseContext): Promise<FaultWindow & { readonly notes?: Record<string, unknown> }>;
  /** Extra conditions, given what was observed; returns the failures. */
  check?(observed: Observed): string[];
}

export interface Observed {
  readonly window: FaultWindow;
  readonly notes: Record<string, unknown>;
  /** Vote and retraction answers by HTTP status (0: no answer), over the whole run. */
  readonly writeStatuses: Record<string, number>;
  /** Reads (query API) by HTTP status, over the whole run. */
  readonly readStatuses: Record<string, number>;
  readonly acknowledgedDuringFault: number;
  readonly unconfirmedDuringFault: number;
  /** Seconds from the end of the fault to the next acknowledged write (null: none). */
  readonly recoverySeconds: number | null;
}

export interface CaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly failures: readonly string[];
  readonly seconds: number;
  readonly verification: Verification | null;
  readonly summary: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const runCase = async (
  chaos: ChaosCase,
  stack: ChaosStack,
  options: { readonly dataRoot: string; readonly say: (line: string) => void; readonly progress?: boolean; readonly catchUpTimeoutSeconds?: number },
): Promise<CaseResult> => {
  const began = Date.now();
  const say = (line: string): void => options.say(`[${chaos.name} ${((Date.now() - began) / 1000).toFixed(0).padStart(3)}s] ${line}`);
  const failures: string[] = [];
  const scale = scaleOf(chaos.votes, `chaos-${chaos.votes}`);
  const fixtures = ensureFixtures(scale, options.dataRoot);
  say(`${chaos.title}`);
  say(`load: ${fixtures.manifest.participants} participants, ${fixtures.manifest.proposals} proposals, ${chaos.votes} votes peaking at ${chaos.votePeakRate}/s; fault ${chaos.faultAfterSeconds} s into the votes`);

  const acks: number[] = [];
  const unconfirmed: number[] = [];
  let votesStartedAt: number | undefined;
  let fault: Promise<FaultWindow & { notes?: Record<string, unknown> }> | undefined;
  let faultError: unknown;
  const ctx: CaseContext = { stack, say, acknowledged: () => acks.length };
  const databaseUrl = stack.postgres.url;

  const result = await runLoad({
    entry: ENTRY_SCRIPT,
    env: {
      DATA_DIR: fixtures.dir,
      INGEST_URL: stack.apps.ingest.url,
      QUERY_URL: stack.apps.query.url,
      MODERATOR_TOKEN: CHAOS_MODERATOR_TOKEN,
      LEDGER: '1',
      VOTE_PEAK_RATE: String(chaos.votePeakRate),
      VOTE_CHANGE_RATE: String(Math.max(2, Math.round(chaos.votePeakRate / 20))),
      READ_RATE: '20',
    },
    onLog: (level, line) => {
      if (level === 'error') say(`[load ${level}] ${line}`);
    },
    onLedgerLine: (line) => {
      const entry = parseLedgerLine(line);
      if (entry === undefined) return;
      (entry.offset === null ? unconfirmed : acks).push(Date.now());
    },
    onSecond: (snapshot) => {
      if (votesStartedAt === undefined && snapshot.running.includes('votes')) {
        votesStartedAt = Date.now();
        say(`votes started (${snapshot.totals.voteWrites} vote writes acknowledged before)`);
        fault = sleep(chaos.faultAfterSeconds * 1000).then(async () => {
          say(`FAULT at ${acks.length} acknowledged vote writes`);
          return chaos.inject(ctx);
        });
        fault.catch((error: unknown) => {
          faultError = error;
        });
      }
      const second = Math.floor(snapshot.elapsedSeconds);
      if (options.progress === true && second % 5 === 0) {
        const lag = snapshot.lag.map((l) => `${l.source} ${l.events} ev`).join(', ');
        say(`t=${second}s/${snapshot.plannedSeconds}s ${snapshot.running.join(',')} │ acked ${snapshot.totals.voteWrites}, unconfirmed ${unconfirmed.length}, failed ${snapshot.totals.failed} │ lag ${lag || '-'}`);
      }
    },
    lagProbes: () => [resilientCheckpointProbe(databaseUrl)],
  });
  say(`load finished after ${result.durationSeconds.toFixed(0)} s: ${acks.length} vote writes acknowledged, ${unconfirmed.length} unconfirmed`);

  let window: FaultWindow = { from: 0, to: 0 };
  let notes: Record<string, unknown> = {};
  if (fault === undefined) failures.push('the votes phase never started: no fault injected');
  else {
    try {
      const outcome = await fault;
      window = outcome;
      notes = outcome.notes ?? {};
    } catch {
      failures.push(`the fault could not be injected or repaired: ${faultError instanceof Error ? faultError.message : String(faultError)}`);
    }
  }
  for (const app of Object.values(stack.apps)) if (!app.alive) failures.push(`${app.name} is not running after the case`);

  let verification: Verification | null = null;
  const checkpoint = result.probes.find((probe) => probe.source === 'postgres');
  if (checkpoint !== undefined) {
    const catchUp = await waitForCatchUp(checkpoint, result.acks, options.catchUpTimeoutSeconds ?? 120);
    say(`projector ${catchUp.reached ? `caught up ${catchUp.seconds.toFixed(1)} s after the load` : `still ${catchUp.remainingEvents} events behind after ${catchUp.seconds.toFixed(0)} s`}`);
    if (!catchUp.reached) failures.push(`the projector did not catch up within ${options.catchUpTimeoutSeconds ?? 120} s`);
  }
  await Promise.all(result.probes.map((probe) => probe.close()));

  const slug = (result.setupData as { slug: string }).slug;
  verification = await verify({
    slug,
    ledger: result.ledger,
    databaseUrl,
    queryUrl: stack.apps.query.url,
    moderatorToken: CHAOS_MODERATOR_TOKEN,
    redis: { url: stack.redis.url, prefix: stack.redisProjectionPrefix },
    log: { brokers: stack.kafka.brokers, topicPrefix: stack.topicPrefix },
  });
  formatVerification(verification).forEach((line) => say(line));
  if (!verification.ok) failures.push('verification failed');
  const skipped = verification.sources.filter((s) => s.skipped !== undefined);
  if (skipped.length > 0) failures.push(`not verified: ${skipped.map((s) => `${s.source} (${s.skipped})`).join(', ')}`);
  if (result.ledger.entries - result.ledger.unconfirmed < chaos.votes / 10) failures.push(`only ${result.ledger.entries - result.ledger.unconfirmed} vote writes acknowledged: the load did not run`);

  const writeStatuses: Record<string, number> = {};
  for (const status of result.store.tagValues('http_reqs', 'status')) {
    const n = result.store.select('http_reqs', { name: 'vote', status }).sum + result.store.select('http_reqs', { name: 'retract', status }).sum;
    if (n > 0) writeStatuses[status] = n;
  }
  const readStatuses: Record<string, number> = {};
  const READS = ['stats', 'proposal', 'sequence', 'results', 'my-votes', 'proposals-list'];
  for (const status of result.store.tagValues('http_reqs', 'status')) {
    const n = READS.reduce((sum, name) => sum + result.store.select('http_reqs', { name, status }).sum, 0);
    if (n > 0) readStatuses[status] = n;
  }
  const inWindow = (t: number): boolean => t >= window.from && t <= window.to;
  const firstAfter = acks.find((t) => t > window.to);
  const observed: Observed = {
    window,
    notes,
    writeStatuses,
    readStatuses,
    acknowledgedDuringFault: acks.filter(inWindow).length,
    unconfirmedDuringFault: unconfirmed.filter(inWindow).length,
    recoverySeconds: firstAfter === undefined ? null : (firstAfter - window.to) / 1000,
  };
  if (window.to > 0 && observed.recoverySeconds === null) failures.push('no vote was acknowledged after the fault: the system did not recover');
  failures.push(...(chaos.check?.(observed) ?? []));

  const faultSeconds = ((window.to - window.from) / 1000).toFixed(1);
  say(
    `observed: fault ${faultSeconds} s; vote writes by status ${JSON.stringify(writeStatuses)}, reads ${JSON.stringify(readStatuses)}; during the fault ${observed.acknowledgedDuringFault} acknowledged, ${observed.unconfirmedDuringFault} unconfirmed; ` +
      `first acknowledgement ${observed.recoverySeconds === null ? 'never' : `${observed.recoverySeconds.toFixed(1)} s`} after it` +
      (Object.keys(notes).length > 0 ? `; ${JSON.stringify(notes)}` : ''),
  );
  const seconds = (Date.now() - began) / 1000;
  const passed = failures.length === 0;
  const summary = `${passed ? 'PASS' : 'FAIL'} ${chaos.name} (${seconds.toFixed(0)} s): lost=${verification.lost} double_counted=${verification.doubleCounted}, ${result.ledger.entries - result.ledger.unconfirmed} acknowledged, ${result.ledger.unconfirmed} unconfirmed${passed ? '' : ` — ${failures.join('; ')}`}`;
  say(summary);
  return { name: chaos.name, passed, failures, seconds, verification, summary };
};

export const dataRootOf = (runDir: string): string => join(runDir, 'data');
