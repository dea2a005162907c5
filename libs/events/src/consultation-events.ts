import { EventEnvelope } from './envelope';

/** Plébiscite thresholds, set per consultation (DESIGN.md "Results"). */
export interface Thresholds {
  readonly minVotes: number;
  readonly minAdhesion: number;
  readonly minEngagement: number;
  /** Minimum votes of one tier before a per-tier figure counts (default 30). */
  readonly minVotesPerTier: number;
  /** Minimum votes before a proposal can be called controversial. */
  readonly minVotesControversy: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  minVotes: 90,
  minAdhesion: 0.8,
  minEngagement: 0.37,
  minVotesPerTier: 30,
  minVotesControversy: 30,
};

export interface ConsultationScheduledV2Data {
  readonly slug: string;
  readonly question: string;
  /** ISO-8601 instants with offset; every window is open ≤ t < close. */
  readonly proposalsOpenAt: string;
  readonly proposalsCloseAt: string;
  readonly votesOpenAt: string;
  readonly votesCloseAt: string;
  readonly thresholds: Thresholds;
  /** Moderator/admin label (audit trail), never a token. */
  readonly scheduledBy: string;
}

/** v1 predates per-consultation thresholds; upcasters.ts lifts it to v2 with the defaults. */
export interface ConsultationScheduledV1Data {
  readonly slug: string;
  readonly question: string;
  readonly proposalsOpenAt: string;
  readonly proposalsCloseAt: string;
  readonly votesOpenAt: string;
  readonly votesCloseAt: string;
  readonly scheduledBy: string;
}

export type ConsultationScheduledV1 = EventEnvelope<'ConsultationScheduled', 1, ConsultationScheduledV1Data>;
export type ConsultationScheduled = EventEnvelope<'ConsultationScheduled', 2, ConsultationScheduledV2Data>;

export type ConsultationEvent = ConsultationScheduled;
