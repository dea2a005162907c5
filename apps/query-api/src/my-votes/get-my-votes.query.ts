import { Qualification, VoteValue } from '@app/events';
import { AsOf } from '../infrastructure/as-of';

export class GetMyVotesQuery {
  constructor(
    readonly participantId: string,
    readonly consultation: string | undefined,
    readonly limit: number,
    readonly cursor: string | undefined,
  ) {}
}

export interface MyVote {
  readonly proposalId: string;
  readonly consultation: string;
  readonly value: VoteValue;
  readonly qualifications: readonly Qualification[];
  /** When the current value was cast (the event's occurredAt). */
  readonly votedAt: string;
  /** Whether the proposal counts in results (accepted); a refused proposal's text is not shown. */
  readonly inResults: boolean;
  readonly text: string | null;
}

export interface MyVotesView {
  readonly items: readonly MyVote[];
  readonly nextCursor: string | null;
  readonly asOf: AsOf;
}
