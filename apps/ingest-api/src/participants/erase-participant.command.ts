import { RequestContext } from '../infrastructure/request-context';

/** Who asked for an erasure: the participant (own token) or a moderator (named in the event). */
export type ErasureRequester = { kind: 'participant' } | { kind: 'moderator'; moderator: string };

export class EraseParticipantCommand {
  constructor(
    readonly participantId: string,
    readonly requester: ErasureRequester,
    readonly context: RequestContext,
  ) {}
}
