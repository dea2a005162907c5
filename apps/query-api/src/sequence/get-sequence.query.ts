import { ParticipantClaims } from '@app/auth';
import { AsOf } from '../infrastructure/as-of';
import { ProposalView } from '../proposals/proposal-view';

export class GetSequenceQuery {
  constructor(
    readonly slug: string,
    readonly participant: ParticipantClaims,
    readonly limit: number,
  ) {}
}

/** What a voter sees before voting: the proposal, not its tallies (they would sway the vote). */
export type SequenceItem = Pick<ProposalView, 'proposalId' | 'consultation' | 'text' | 'author' | 'submittedAt'>;

export interface SequenceView {
  readonly items: readonly SequenceItem[];
  /** False outside the consultation's voting window: then `items` is empty. */
  readonly votesOpen: boolean;
  readonly asOf: AsOf;
}
