import { ParticipantClaims } from '@app/auth';
import { RequestContext } from '../infrastructure/request-context';

export class SubmitProposalCommand {
  constructor(
    readonly consultation: string,
    readonly author: ParticipantClaims,
    readonly text: string,
    readonly context: RequestContext,
  ) {}
}
