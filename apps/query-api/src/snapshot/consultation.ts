import { resolveThresholds } from '@app/domain';
import { Thresholds } from '@app/events';

/** A consultation as the read side knows it. */
export interface ConsultationInfo {
  readonly slug: string;
  readonly question: string;
  readonly proposalsOpenAt: string;
  readonly proposalsCloseAt: string;
  readonly votesOpenAt: string;
  readonly votesCloseAt: string;
  readonly thresholds: Thresholds;
}

export const CONSULTATION_SQL_COLUMNS = `slug, question, proposals_open_at, proposals_close_at, votes_open_at, votes_close_at, thresholds`;

export interface ConsultationRow {
  slug: string;
  question: string;
  proposals_open_at: Date;
  proposals_close_at: Date;
  votes_open_at: Date;
  votes_close_at: Date;
  thresholds: Partial<Thresholds> | null;
}

export const consultationFromRow = (row: ConsultationRow): ConsultationInfo => ({
  slug: row.slug,
  question: row.question,
  proposalsOpenAt: row.proposals_open_at.toISOString(),
  proposalsCloseAt: row.proposals_close_at.toISOString(),
  votesOpenAt: row.votes_open_at.toISOString(),
  votesCloseAt: row.votes_close_at.toISOString(),
  // The stored JSON is the event's full thresholds; defaults only fill a key an old row lacks.
  thresholds: resolveThresholds(row.thresholds ?? {}),
});
