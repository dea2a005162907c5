import { ParticipantClaims } from '@app/auth';
import { RequestContext } from '../infrastructure/request-context';

export class RetractVoteCommand {
  constructor(
    readonly proposalId: string,
    readonly voter: ParticipantClaims,
    readonly context: RequestContext,
  ) {}
}
