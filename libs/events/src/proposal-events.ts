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

/**
 * Why a proposal was refused, as a code analysts and readers can rely on. `personal-data`: the
 * text holds personal data; the read models scrub it and it is never served again.
 */
export const REFUSAL_REASON_CODES = ['personal-data', 'off-topic', 'offensive', 'duplicate', 'unintelligible', 'other'] as const;
export type RefusalReasonCode = (typeof REFUSAL_REASON_CODES)[number];

/** v1 had no reason code; upcasters.ts lifts it to v2 with `other`. */
export interface ProposalRefusedV1Data {
  readonly proposalId: string;
  readonly consultation: string;
  readonly moderator: string;
  readonly reason: string;
}

export interface ProposalRefusedData extends ProposalRefusedV1Data {
  readonly reasonCode: RefusalReasonCode;
}

export type ProposalSubmitted = EventEnvelope<'ProposalSubmitted', 1, ProposalSubmittedData>;
export type ProposalAccepted = EventEnvelope<'ProposalAccepted', 1, ProposalAcceptedData>;
export type ProposalRefusedV1 = EventEnvelope<'ProposalRefused', 1, ProposalRefusedV1Data>;
export type ProposalRefused = EventEnvelope<'ProposalRefused', 2, ProposalRefusedData>;

export type ProposalEvent = ProposalSubmitted | ProposalAccepted | ProposalRefused;
