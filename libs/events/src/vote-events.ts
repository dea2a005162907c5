import { EventEnvelope } from './envelope';
import { Tier } from './tier';
import { Qualification, VoteValue } from './vote-values';

export interface VoteCastData {
  readonly proposalId: string;
  readonly consultation: string;
  readonly participantId: string;
  /** The voter's tier from their signed token, decided at registration. */
  readonly voterTier: Tier;
  readonly value: VoteValue;
  /** Allowed for `value` only, no duplicates, sorted. */
  readonly qualifications: readonly Qualification[];
}

export interface VoteRetractedData {
  readonly proposalId: string;
  readonly consultation: string;
  readonly participantId: string;
  readonly voterTier: Tier;
}

export type VoteCast = EventEnvelope<'VoteCast', 1, VoteCastData>;
export type VoteRetracted = EventEnvelope<'VoteRetracted', 1, VoteRetractedData>;

export type VoteEvent = VoteCast | VoteRetracted;
