import { EventEnvelope } from './envelope';

/**
 * A moderator's decision that a participant's votes stop counting (abuse: scripted registrations,
 * coordinated votes, inhuman vote rates), and its reversal. Topic `participants`, key
 * participantId: a participant's registration, disqualifications and requalifications are
 * applied in the order moderators made them. Votes are not rewritten: every projection keeps
 * tracking the participant's current votes and leaves them out of tallies, counters and results
 * while the participant is disqualified (docs/abuse.md).
 */
export interface ParticipantDisqualifiedData {
  readonly participantId: string;
  /** Moderator label (audit trail). */
  readonly moderator: string;
  readonly reason: string;
  /** Ids of the abuse flags (moderation.abuse_flags) the decision was based on, if any. */
  readonly flagIds: readonly string[];
}

export interface ParticipantRequalifiedData {
  readonly participantId: string;
  readonly moderator: string;
  readonly reason: string;
  readonly flagIds: readonly string[];
}

export type ParticipantDisqualified = EventEnvelope<'ParticipantDisqualified', 1, ParticipantDisqualifiedData>;
export type ParticipantRequalified = EventEnvelope<'ParticipantRequalified', 1, ParticipantRequalifiedData>;

export type ParticipantStandingEvent = ParticipantDisqualified | ParticipantRequalified;
