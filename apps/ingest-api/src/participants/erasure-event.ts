import { ParticipantErased, deterministicUuid, makeEvent } from '@app/events';
import { ErasureRequester } from './erase-participant.command';

/** How the key store records who erased (`participant` or `moderator:<label>`). */
export const erasedByLabel = (requester: ErasureRequester): string =>
  requester.kind === 'participant' ? 'participant' : `moderator:${requester.moderator}`;

export const requesterOf = (erasedBy: string): ErasureRequester =>
  erasedBy.startsWith('moderator:') ? { kind: 'moderator', moderator: erasedBy.slice('moderator:'.length) } : { kind: 'participant' };

/**
 * The erasure event of a participant. Its id is derived from the participant id alone, so every
 * append of it (a client retry, the sweeper after a crash, two instances) is the same event and
 * the projector applies it once.
 */
export const erasureEvent = (participantId: string, requester: ErasureRequester, occurredAt: Date, correlationId: string): ParticipantErased =>
  makeEvent(
    'ParticipantErased',
    requester.kind === 'participant'
      ? { participantId, requestedBy: 'participant' }
      : { participantId, requestedBy: 'moderator', moderator: requester.moderator },
    { eventId: deterministicUuid('ParticipantErased', participantId.toLowerCase()), occurredAt, correlationId },
  );
