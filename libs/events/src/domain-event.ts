import { ConsultationEvent } from './consultation-events';
import { ParticipantEvent } from './participant-events';
import { ParticipantStandingEvent } from './participant-standing-events';
import { ProposalEvent } from './proposal-events';
import { VoteEvent } from './vote-events';

/** Every current event version; decoders upcast older versions to these. */
export type DomainEvent = ConsultationEvent | ParticipantEvent | ParticipantStandingEvent | ProposalEvent | VoteEvent;
export type DomainEventType = DomainEvent['type'];
export type EventOfType<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

/** The schemaVersion each type is currently produced at. */
export const CURRENT_VERSION: { readonly [T in DomainEventType]: EventOfType<T>['schemaVersion'] } = {
  ConsultationScheduled: 2,
  ParticipantRegistered: 2,
  ParticipantDisqualified: 1,
  ParticipantRequalified: 1,
  ParticipantErased: 1,
  ProposalSubmitted: 1,
  ProposalAccepted: 1,
  ProposalRefused: 2,
  VoteCast: 1,
  VoteRetracted: 1,
};
