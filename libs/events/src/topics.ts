import { DomainEvent, DomainEventType } from './domain-event';

/**
 * The event topics: the system of record (retention unlimited). Each event type lives in one
 * topic, and the key of its record is chosen for the ordering the consumers rely on:
 *
 * - consultations, key = slug: a consultation's schedule events apply in order.
 * - participants, key = participantId: a participant's registration precedes anything later
 *   said about them (erasure, disqualification) in the same partition.
 * - proposals, key = proposalId: a proposal's submission and its status changes
 *   (accepted ⇄ refused) are applied in the order moderators made them.
 * - votes, key = participantId: all votes and retractions of one participant, hence of one
 *   participant on one proposal, are applied in the order the ingest appended them; the
 *   projector's "last vote wins" and "same vote again is a no-op" rely on it. Keying by voter,
 *   not by proposal, also spreads a popular proposal's votes over every partition.
 *
 * No order holds across topics: a vote may be read before the acceptance of its proposal by a
 * projector lagging on the proposals topic, so read models join on current status at read time.
 */
export const TOPIC_NAMES = ['consultations', 'participants', 'proposals', 'votes'] as const;
export type TopicName = (typeof TOPIC_NAMES)[number];

export interface TopicSpec {
  readonly name: TopicName;
  readonly partitions: number;
}

export const TOPIC_SPECS: readonly TopicSpec[] = [
  { name: 'consultations', partitions: 1 },
  { name: 'participants', partitions: 6 },
  { name: 'proposals', partitions: 6 },
  { name: 'votes', partitions: 12 },
];

/** The dead-letter topic of undecodable records (never part of the record). */
export const DEAD_LETTER_TOPIC = 'dead-letters';

const TOPIC_OF: { readonly [T in DomainEventType]: TopicName } = {
  ConsultationScheduled: 'consultations',
  ParticipantRegistered: 'participants',
  ParticipantDisqualified: 'participants',
  ParticipantRequalified: 'participants',
  ParticipantErased: 'participants',
  ProposalSubmitted: 'proposals',
  ProposalAccepted: 'proposals',
  ProposalRefused: 'proposals',
  VoteCast: 'votes',
  VoteRetracted: 'votes',
};

export const topicOf = (type: DomainEventType): TopicName => TOPIC_OF[type];

/** The record key of an event; see the ordering each key guarantees above. */
export const keyOf = (event: DomainEvent): string => {
  switch (event.type) {
    case 'ConsultationScheduled':
      return event.data.slug;
    case 'ParticipantRegistered':
    case 'ParticipantErased':
    case 'ParticipantDisqualified':
    case 'ParticipantRequalified':
      return event.data.participantId;
    case 'ProposalSubmitted':
    case 'ProposalAccepted':
    case 'ProposalRefused':
      return event.data.proposalId;
    case 'VoteCast':
    case 'VoteRetracted':
      return event.data.participantId;
    default: {
      const unreachable: never = event;
      throw new Error(`no key for ${(unreachable as DomainEvent).type}`);
    }
  }
};

/**
 * Physical topic name. A prefix (env TOPIC_PREFIX) isolates environments and test runs on one
 * broker: `${prefix}${name}`.
 */
export const physicalTopic = (prefix: string, name: TopicName | typeof DEAD_LETTER_TOPIC): string =>
  `${prefix}${name}`;
