import { ParticipantClaims } from '@app/auth';
import { RequestContext } from '../infrastructure/request-context';

export class CastVoteCommand {
  constructor(
    readonly proposalId: string,
    readonly voter: ParticipantClaims,
    readonly value: string,
    readonly qualifications: readonly string[] | undefined,
    readonly context: RequestContext,
  ) {}
}
