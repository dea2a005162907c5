import { QUALIFICATIONS } from '@app/events';
import { ExpectedPair, PairState, pairKey, sameState } from './ledger';

/**
 * Tallies in one shape for every source: proposal id (lower case) → voter tier → field → count,
 * fields as in the query API (total, agree, disagree, neutral, then the nine qualifications);
 * zero counts are left out.
 */
export type Tallies = Record<string, Record<string, Record<string, number>>>;

export const VALUE_FIELDS = ['agree', 'disagree', 'neutral'] as const;
export const TALLY_FIELDS: readonly string[] = ['total', ...VALUE_FIELDS, ...QUALIFICATIONS];

export const addTo = (tallies: Tallies, proposalId: string, tier: string, field: string, n = 1): void => {
  if (n === 0) return;
  const byTier = (tallies[proposalId.toLowerCase()] ??= {});
  const fields = (byTier[tier] ??= {});
  fields[field] = (fields[field] ?? 0) + n;
};

const countPair = (tallies: Tallies, proposalId: string, state: PairState): void => {
  if (state.value === null) return;
  addTo(tallies, proposalId, state.tier, 'total');
  addTo(tallies, proposalId, state.tier, state.value);
  for (const qualification of state.qualifications) addTo(tallies, proposalId, state.tier, qualification);
};

export interface ExpectedTallies {
  readonly tallies: Tallies;
  /** Current votes expected (pairs whose final state is a vote). */
  readonly votes: number;
  /** Pairs whose final state depends on an unconfirmed write, and how many of them `observed` settled. */
  readonly uncertain: number;
  readonly settled: number;
}

/**
 * What the generator sent, tallied. Where a pair's final state is uncertain (an unconfirmed
 * write), the state `observed` in the read model is taken when it is one of the acceptable ones.
 */
export const expectedTallies = (pairs: readonly ExpectedPair[], observed?: ReadonlyMap<string, PairState>): ExpectedTallies => {
  const tallies: Tallies = {};
  let votes = 0;
  let uncertain = 0;
  let settled = 0;
  for (const pair of pairs) {
    let state = pair.expected;
    if (pair.alternatives.length > 0) {
      uncertain += 1;
      const seen = observed?.get(pairKey(pair.participantId, pair.proposalId)) ?? { tier: state.tier, value: null, qualifications: [] };
      const match = pair.alternatives.find((alt) => sameState(alt, seen));
      if (match !== undefined) {
        state = match;
        settled += 1;
      }
    }
    if (state.value !== null) votes += 1;
    countPair(tallies, pair.proposalId, state);
  }
  return { tallies, votes, uncertain, settled };
};
