import { ParticipantClaims } from '../auth/participant-token';
import { RequestContext } from '../infrastructure/request-context';

export class RetractVoteCommand {
  constructor(
    readonly proposalId: string,
    readonly voter: ParticipantClaims,
    readonly context: RequestContext,
  ) {}
}
