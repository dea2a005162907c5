import { Tier } from '@app/events';
import { AsOf } from '../infrastructure/as-of';
import { ProposalStatus } from '../snapshot/consultation-snapshot';
import { ProposalView } from './proposal-view';
import { Sort } from './ranking';

export class ListProposalsQuery {
  constructor(
    readonly slug: string,
    /** `accepted` means "public" (accepted and within quota); others are moderators' views. */
    readonly status: ProposalStatus,
    readonly sort: Sort,
    /** Rank by this tier's votes. */
    readonly tier: Tier | undefined,
    /** Only proposals whose author is of this tier. */
    readonly authorTier: Tier | undefined,
    readonly limit: number,
    readonly cursor: string | undefined,
  ) {}
}

export interface ProposalPage {
  readonly items: readonly ProposalView[];
  readonly nextCursor: string | null;
  readonly asOf: AsOf;
}
