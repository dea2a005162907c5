import { Pool } from 'pg';
import { Comparison, compareTallies } from './compare';
import { ExpectedPair, LedgerFold, PairState, pairKey, sameState } from './ledger';
import { readLogTallies } from './log-source';
import { readPostgresPairs, readPostgresTallies } from './postgres-source';
import { readQueryTallies } from './query-source';
import { readRedisTallies } from './redis-source';
import { Tallies, expectedTallies } from './tallies';

/**
 * After a run: do the final tallies per proposal, value and tier equal what the generator sent?
 * Each source is compared with the expectation from the ledger; a source that cannot be reached
 * is reported as skipped (never as passing silently). Sources that lag (the query API serves
 * Redis and snapshots) are re-read until they match or `settleSeconds` pass.
 */
export interface VerifyOptions {
  readonly slug: string;
  readonly ledger: LedgerFold;
  readonly databaseUrl?: string;
  readonly queryUrl?: string;
  readonly moderatorToken?: string;
  /** The Redis projection (REDIS_URL and the projector's Redis prefix), read directly. */
  readonly redis?: { readonly url: string; readonly prefix: string };
  /** Recount the log too (reads every event: heavy at full scale). */
  readonly log?: { readonly brokers: readonly string[]; readonly topicPrefix: string };
  readonly settleSeconds?: number;
}

export interface SourceResult extends Partial<Comparison> {
  readonly source: 'postgres' | 'postgres-pairs' | 'redis' | 'query-api' | 'log-recount';
  readonly skipped?: string;
  readonly detail?: string;
}

export interface Verification {
  readonly pairs: number;
  readonly writes: number;
  readonly unconfirmedWrites: number;
  readonly uncertainPairs: number;
  readonly expectedVotes: number;
  readonly sources: readonly SourceResult[];
  readonly lost: number;
  readonly doubleCounted: number;
  readonly ok: boolean;
}

const clean = (c: Comparison): boolean => c.lost === 0 && c.doubleCounted === 0 && c.otherFieldsOff === 0;

/** Re-reads `read` until its comparison is clean or the deadline passes; the last comparison. */
const settle = async (read: () => Promise<Comparison>, seconds: number): Promise<Comparison> => {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const comparison = await read();
    if (clean(comparison) || Date.now() >= deadline) return comparison;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};

/** Pairs whose read-model state is neither the expected one nor an acceptable alternative. */
const pairMismatches = (pairs: readonly ExpectedPair[], observed: ReadonlyMap<string, PairState>): { mismatched: number; unexpected: number } => {
  const expectedKeys = new Set<string>();
  let mismatched = 0;
  for (const pair of pairs) {
    const key = pairKey(pair.participantId, pair.proposalId);
    expectedKeys.add(key);
    const seen = observed.get(key) ?? { tier: pair.expected.tier, value: null, qualifications: [] };
    if (!sameState(seen, pair.expected) && !pair.alternatives.some((alt) => sameState(seen, alt))) mismatched += 1;
  }
  let unexpected = 0;
  for (const [key, state] of observed) if (state.value !== null && !expectedKeys.has(key)) unexpected += 1;
  return { mismatched, unexpected };
};

const failed = (source: SourceResult['source'], error: unknown): SourceResult => ({
  source,
  skipped: `could not be read: ${error instanceof Error ? error.message : String(error)}`,
});

export const verify = async (options: VerifyOptions): Promise<Verification> => {
  const settleSeconds = options.settleSeconds ?? 30;
  const pairs = options.ledger.expected();
  const sources: SourceResult[] = [];
  let observed: Map<string, PairState> | undefined;
  let expected = expectedTallies(pairs);
  const scope = (tallies: Tallies) => new Set([...Object.keys(expected.tallies), ...Object.keys(tallies)]);

  if (options.databaseUrl === undefined) sources.push({ source: 'postgres', skipped: 'no DATABASE_URL' });
  else {
    const pool = new Pool({ connectionString: options.databaseUrl, max: 2 });
    try {
      const comparison = await settle(async () => {
        observed = await readPostgresPairs(pool, options.slug);
        expected = expectedTallies(pairs, observed);
        return compareTallies(expected.tallies, await readPostgresTallies(pool, options.slug, Object.keys(expected.tallies)));
      }, settleSeconds);
      sources.push({ source: 'postgres', ...comparison });
      if (observed !== undefined) {
        const { mismatched, unexpected } = pairMismatches(pairs, observed);
        sources.push({ source: 'postgres-pairs', lost: mismatched, doubleCounted: unexpected, otherFieldsOff: 0, proposals: 0, differences: [], detail: `${mismatched} pairs not in their expected state, ${unexpected} current votes nobody sent` });
      }
    } catch (error) {
      sources.push(failed('postgres', error));
    } finally {
      await pool.end();
    }
  }

  if (options.redis === undefined) sources.push({ source: 'redis', skipped: 'no Redis projection prefix given' });
  else {
    const { url, prefix } = options.redis;
    try {
      const ids = Object.keys(expected.tallies);
      const comparison = await settle(async () => compareTallies(expected.tallies, await readRedisTallies(url, prefix, ids)), settleSeconds);
      sources.push({ source: 'redis', ...comparison });
    } catch (error) {
      sources.push(failed('redis', error));
    }
  }

  if (options.queryUrl === undefined) sources.push({ source: 'query-api', skipped: 'no query API URL' });
  else {
    const proposalIds = Object.keys(expected.tallies);
    try {
      let missing = 0;
      const comparison = await settle(async () => {
        const read = await readQueryTallies(options.queryUrl as string, proposalIds, options.moderatorToken);
        missing = read.missing.length;
        return compareTallies(expected.tallies, read.tallies, scope(read.tallies));
      }, settleSeconds);
      sources.push({ source: 'query-api', ...comparison, detail: missing > 0 ? `${missing} proposals not found` : undefined });
    } catch (error) {
      sources.push(failed('query-api', error));
    }
  }

  if (options.log !== undefined) {
    try {
      const { tallies, events } = await readLogTallies(options.log.brokers, options.log.topicPrefix, options.slug);
      sources.push({ source: 'log-recount', ...compareTallies(expected.tallies, tallies), detail: `${events} events recounted` });
    } catch (error) {
      sources.push(failed('log-recount', error));
    }
  }

  const compared = sources.filter((s) => s.skipped === undefined);
  const lost = Math.max(0, ...compared.map((s) => s.lost ?? 0));
  const doubleCounted = Math.max(0, ...compared.map((s) => s.doubleCounted ?? 0));
  return {
    pairs: pairs.length,
    writes: options.ledger.entries,
    unconfirmedWrites: options.ledger.unconfirmed,
    uncertainPairs: expected.uncertain,
    expectedVotes: expected.votes,
    sources,
    lost,
    doubleCounted,
    ok: compared.length > 0 && compared.every((s) => s.lost === 0 && s.doubleCounted === 0 && (s.otherFieldsOff ?? 0) === 0),
  };
};

/** The lines a run prints: one per source, then `lost=… double_counted=…`. */
export const formatVerification = (v: Verification): string[] => {
  const lines = [
    `verify: ${v.writes} vote writes sent (${v.unconfirmedWrites} unconfirmed) on ${v.pairs} (participant, proposal) pairs → ${v.expectedVotes} current votes expected` +
      (v.uncertainPairs > 0 ? `, ${v.uncertainPairs} pairs uncertain` : ''),
  ];
  for (const s of v.sources) {
    if (s.skipped !== undefined) {
      lines.push(`  ${s.source.padEnd(15)} SKIPPED: ${s.skipped}`);
      continue;
    }
    lines.push(`  ${s.source.padEnd(15)} lost=${s.lost} double_counted=${s.doubleCounted} other_fields_off=${s.otherFieldsOff ?? 0}${s.detail ? ` (${s.detail})` : ''}`);
    for (const d of (s.differences ?? []).slice(0, 10)) lines.push(`      ${d.proposalId} ${d.tier} ${d.field}: expected ${d.expected}, found ${d.actual}`);
  }
  lines.push(`lost=${v.lost} double_counted=${v.doubleCounted}${v.ok ? '' : ' — VERIFICATION FAILED'}`);
  return lines;
};
