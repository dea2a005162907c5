import { Tally, controversy, metricsOf } from '@app/domain';
import { Thresholds, Tier } from '@app/events';
import { ProposalRecord } from '../snapshot/consultation-snapshot';

export const SORTS = ['top', 'controversial', 'recent', 'votes'] as const;
export type Sort = (typeof SORTS)[number];

/**
 * A proposal's place in a list: numeric components compared in descending order (null after
 * every number), then the proposal id ascending, so every order is total and a cursor holding a
 * key resumes exactly after it.
 *   top           score, then votes
 *   controversial controversy (libs/domain), then votes
 *   recent        submission time
 *   votes         votes
 * With a tier, score, controversy and votes are that tier's; controversy then needs the tier
 * minimum (minVotesPerTier) instead of minVotesControversy.
 */
export interface RankKey {
  readonly values: readonly (number | null)[];
  readonly id: string;
}

export const rankKey = (p: ProposalRecord, sort: Sort, tier: Tier | undefined, thresholds: Thresholds): RankKey => {
  const tally: Tally = tier ? p.byTier[tier] : p.overall;
  switch (sort) {
    case 'top':
      return { values: [metricsOf(tally).score, tally.total], id: p.proposalId };
    case 'controversial':
      return {
        values: [controversy(tally, tier ? thresholds.minVotesPerTier : thresholds.minVotesControversy), tally.total],
        id: p.proposalId,
      };
    case 'recent':
      return { values: [Date.parse(p.submittedAt)], id: p.proposalId };
    case 'votes':
      return { values: [tally.total], id: p.proposalId };
    default: {
      const unreachable: never = sort;
      throw new Error(`unknown sort ${String(unreachable)}`);
    }
  }
};

/** Number of numeric components of each sort's key. */
export const KEY_LENGTH: Readonly<Record<Sort, number>> = { top: 2, controversial: 2, recent: 1, votes: 1 };

export const compareKeys = (a: RankKey, b: RankKey): number => {
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i];
    const y = b.values[i];
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return y - x;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

/** Index of the first key strictly after `after` in a sorted array (binary search). */
export const indexAfter = <T extends { key: RankKey }>(sorted: readonly T[], after: RankKey): number => {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeys(sorted[mid].key, after) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
};
