import { ConsultationScheduled, ConsultationScheduledV2Data, DEFAULT_THRESHOLDS } from '@app/events/consultation-events';
import { DomainEvent } from '@app/events/domain-event';
import { ProposalAccepted, ProposalRefused, ProposalSubmitted } from '@app/events/proposal-events';
import { Tier } from '@app/events/tier';
import { VoteCast, VoteRetracted } from '@app/events/vote-events';
import { Qualification, VoteValue } from '@app/events/vote-values';
import { emptyWriteModel, evolve, WriteModel } from './write-model';

/** Test fixtures for the "given these events, when this command, then…" specs (not shipped). */

export const SLUG = 'grande-cause';
export const PROPOSALS_OPEN = '2026-02-01T00:00:00+01:00';
export const PROPOSALS_CLOSE = '2026-03-01T00:00:00+01:00';
export const VOTES_OPEN = '2026-02-05T00:00:00+01:00';
export const VOTES_CLOSE = '2026-03-15T00:00:00+01:00';
/** Inside both windows. */
export const NOW = new Date('2026-02-10T12:00:00.000Z');

let sequence = 0;
const nextId = (prefix: string): string => `${prefix}-${++sequence}`;

const meta = { correlationId: 'test' };

export const scheduled = (data: Partial<ConsultationScheduledV2Data> = {}): ConsultationScheduled => ({
  type: 'ConsultationScheduled',
  schemaVersion: 2,
  eventId: nextId('schedule'),
  occurredAt: '2026-01-15T09:00:00.000Z',
  meta,
  data: {
    slug: SLUG,
    question: 'Comment améliorer les conditions de vie dans votre territoire ?',
    proposalsOpenAt: PROPOSALS_OPEN,
    proposalsCloseAt: PROPOSALS_CLOSE,
    votesOpenAt: VOTES_OPEN,
    votesCloseAt: VOTES_CLOSE,
    thresholds: DEFAULT_THRESHOLDS,
    scheduledBy: 'admin',
    ...data,
  },
});

export const submitted = (
  proposalId: string,
  options: { authorId?: string; consultation?: string; at?: string; text?: string; tier?: Tier } = {},
): ProposalSubmitted => ({
  type: 'ProposalSubmitted',
  schemaVersion: 1,
  eventId: nextId('submit'),
  occurredAt: options.at ?? '2026-02-02T10:00:00.000Z',
  meta,
  data: {
    proposalId,
    consultation: options.consultation ?? SLUG,
    authorId: options.authorId ?? 'author-1',
    authorTier: options.tier ?? 'rural',
    text: options.text ?? `Il faut rouvrir les petites lignes de train (${proposalId})`,
  },
});

export const accepted = (proposalId: string, consultation = SLUG): ProposalAccepted => ({
  type: 'ProposalAccepted',
  schemaVersion: 1,
  eventId: nextId('accept'),
  occurredAt: '2026-02-03T10:00:00.000Z',
  meta,
  data: { proposalId, consultation, moderator: 'moderator-1' },
});

export const refused = (proposalId: string, reason = 'hors sujet', consultation = SLUG): ProposalRefused => ({
  type: 'ProposalRefused',
  schemaVersion: 2,
  eventId: nextId('refuse'),
  occurredAt: '2026-02-03T10:00:00.000Z',
  meta,
  data: { proposalId, consultation, moderator: 'moderator-1', reason, reasonCode: 'other' },
});

export const cast = (
  eventId: string,
  value: VoteValue,
  qualifications: readonly Qualification[] = [],
  voterTier: Tier = 'rural',
): VoteCast => ({
  type: 'VoteCast',
  schemaVersion: 1,
  eventId,
  occurredAt: '2026-02-10T12:00:00.000Z',
  meta,
  data: { proposalId: 'p-1', consultation: SLUG, participantId: 'voter-1', voterTier, value, qualifications },
});

export const retracted = (eventId: string, voterTier: Tier = 'rural'): VoteRetracted => ({
  type: 'VoteRetracted',
  schemaVersion: 1,
  eventId,
  occurredAt: '2026-02-10T12:00:00.000Z',
  meta,
  data: { proposalId: 'p-1', consultation: SLUG, participantId: 'voter-1', voterTier },
});

/** The write model after these events, folded in order. */
export const given = (...events: DomainEvent[]): WriteModel => events.reduce(evolve, emptyWriteModel());
