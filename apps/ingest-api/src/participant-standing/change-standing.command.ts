import { RequestContext } from '../infrastructure/request-context';

/** Disqualify (votes stop counting) or requalify (they count again) a participant (docs/abuse.md). */
export class ChangeStandingCommand {
  constructor(
    readonly participantId: string,
    readonly change: 'disqualify' | 'requalify',
    readonly moderator: string,
    readonly reason: string,
    readonly flagIds: readonly string[],
    readonly context: RequestContext,
  ) {}
}
