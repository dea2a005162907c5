import { ConsultationScheduledV2Data, Thresholds } from '@app/events/consultation-events';
import { DomainResult, FieldError, validationFailed } from './errors';
import { parseInstant } from './instant';
import { ok, err } from './result';
import { forbiddenCharacterErrors, lengthErrors, normaliseText } from './text';
import { resolveThresholds, thresholdErrors } from './thresholds';
import { WriteModelView } from './write-model';

/** `POST /v1/consultations`, once the HTTP layer checked field types and unknown fields. */
export interface ScheduleConsultation {
  readonly slug: string;
  readonly question: string;
  readonly proposalsOpenAt: string;
  readonly proposalsCloseAt: string;
  readonly votesOpenAt: string;
  readonly votesCloseAt: string;
  /** Overrides some of DEFAULT_THRESHOLDS; absent keys keep their default. */
  readonly thresholds?: Partial<Thresholds>;
  /** Admin label from the token (audit trail), never the token. */
  readonly scheduledBy: string;
}

/** 3–64 characters: lowercase ASCII letters, digits and hyphens, no hyphen at either end. */
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$/;
export const QUESTION_MIN = 10;
export const QUESTION_MAX = 300;

const INSTANT_FIELDS = ['proposalsOpenAt', 'proposalsCloseAt', 'votesOpenAt', 'votesCloseAt'] as const;

const windowErrors = (command: ScheduleConsultation, open: 'proposalsOpenAt' | 'votesOpenAt', close: 'proposalsCloseAt' | 'votesCloseAt'): FieldError[] => {
  const opensAt = parseInstant(command[open]);
  const closesAt = parseInstant(command[close]);
  return opensAt !== null && closesAt !== null && !(opensAt < closesAt)
    ? [{ pointer: `/${close}`, detail: `must be after ${open} (windows are open ≤ t < close)` }]
    : [];
};

/**
 * Decides `ConsultationScheduled` (v2). Every broken rule of the body is reported at once
 * (422); a valid body whose slug is taken is a 409. The question is stored normalised like a
 * proposal text (NFC, newlines folded, trimmed); the instants are stored as given, since they
 * are valid and the offset the admin chose is worth keeping for display.
 */
export const scheduleConsultation = (
  state: WriteModelView,
  command: ScheduleConsultation,
): DomainResult<ConsultationScheduledV2Data> => {
  const question = normaliseText(command.question);
  const errors: FieldError[] = [];
  if (!SLUG.test(command.slug)) {
    errors.push({
      pointer: '/slug',
      detail: 'must be 3 to 64 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
    });
  }
  errors.push(...lengthErrors(question, '/question', QUESTION_MIN, QUESTION_MAX));
  errors.push(...forbiddenCharacterErrors(question, '/question'));
  for (const field of INSTANT_FIELDS) {
    if (parseInstant(command[field]) === null) {
      errors.push({
        pointer: `/${field}`,
        detail: 'must be a valid ISO-8601 date and time with an offset, e.g. 2026-02-01T00:00:00+01:00 or 2026-02-01T00:00:00Z',
      });
    }
  }
  errors.push(...windowErrors(command, 'proposalsOpenAt', 'proposalsCloseAt'));
  errors.push(...windowErrors(command, 'votesOpenAt', 'votesCloseAt'));
  errors.push(...thresholdErrors(command.thresholds ?? {}));
  if (errors.length > 0) return err(validationFailed(errors));

  if (state.consultations.has(command.slug)) {
    return err({
      type: 'consultation-exists',
      detail: `A consultation with slug "${command.slug}" already exists.`,
      slug: command.slug,
    });
  }
  return ok({
    slug: command.slug,
    question,
    proposalsOpenAt: command.proposalsOpenAt,
    proposalsCloseAt: command.proposalsCloseAt,
    votesOpenAt: command.votesOpenAt,
    votesCloseAt: command.votesCloseAt,
    thresholds: resolveThresholds(command.thresholds),
    scheduledBy: command.scheduledBy,
  });
};
