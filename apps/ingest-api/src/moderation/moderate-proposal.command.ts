import { RefusalReasonCode } from '@app/events';
import { RequestContext } from '../infrastructure/request-context';

/** Accept (reason undefined) or refuse (reason given) a proposal. */
export class ModerateProposalCommand {
  constructor(
    readonly proposalId: string,
    readonly moderator: string,
    readonly decision: { kind: 'accept' } | { kind: 'refuse'; reason: string; reasonCode?: RefusalReasonCode },
    readonly context: RequestContext,
  ) {}
}
