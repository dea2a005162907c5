import { EventEnvelope } from './envelope';
import { Tier } from './tier';

export interface ProposalSubmittedData {
  readonly proposalId: string;
  readonly consultation: string;
  readonly authorId: string;
  readonly authorTier: Tier;
  /** Already normalised: NFC, newlines turned into spaces, trimmed. */
  readonly text: string;
}

export interface ProposalAcceptedData {
  readonly proposalId: string;
  readonly consultation: string;
  /** Moderator label (audit trail). */
  readonly moderator: string;
}

export interface ProposalRefusedData {
  readonly proposalId: string;
  readonly consultation: string;
  readonly moderator: string;
  readonly reason: string;
}

export type ProposalSubmitted = EventEnvelope<'ProposalSubmitted', 1, ProposalSubmittedData>;
export type ProposalAccepted = EventEnvelope<'ProposalAccepted', 1, ProposalAcceptedData>;
export type ProposalRefused = EventEnvelope<'ProposalRefused', 1, ProposalRefusedData>;

export type ProposalEvent = ProposalSubmitted | ProposalAccepted | ProposalRefused;
