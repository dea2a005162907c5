import { Tier } from '@app/events';
import { AsOf } from '../infrastructure/as-of';

export class GetStatsQuery {
  constructor(readonly slug: string) {}
}

export interface ProposalCounts {
  readonly submitted: number;
  readonly accepted: number;
  readonly refused: number;
}

export interface TierStats {
  readonly participants: number;
  readonly proposals: ProposalCounts;
  readonly votes: number;
}

/** API.md stats; `proposals` of a tier counts its authors' proposals, `votes` its voters' current votes. */
export interface StatsView {
  readonly participants: number;
  readonly proposals: ProposalCounts;
  readonly votes: number;
  readonly byTier: { readonly [T in Tier]: TierStats };
  readonly asOf: AsOf;
}

export interface StatsAnswer {
  readonly view: StatsView;
  /** Which projection answered (the hot path is Redis; Postgres when Redis cannot). */
  readonly source: 'redis' | 'postgres';
}
