import { DEFAULT_THRESHOLDS, Thresholds } from '@app/events/consultation-events';
import { FieldError } from './errors';
import { ENGAGEMENT_MAX, ENGAGEMENT_MIN } from './results';

/**
 * A consultation's plébiscite/controversy thresholds: the defaults, with whatever the admin
 * overrode. Each bound is the range where the threshold can decide something: adhesion is a
 * share (0..1); engagement per vote ranges from −3 to +2 (see results.ts), so is its mean.
 */
type Rule = { readonly integer: boolean; readonly min: number; readonly max: number };

const RULES: { readonly [K in keyof Thresholds]: Rule } = {
  minVotes: { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER },
  minAdhesion: { integer: false, min: 0, max: 1 },
  minEngagement: { integer: false, min: ENGAGEMENT_MIN, max: ENGAGEMENT_MAX },
  minVotesPerTier: { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER },
  minVotesControversy: { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER },
};

const KEYS = Object.keys(RULES) as (keyof Thresholds)[];

const describe = (rule: Rule): string =>
  rule.integer ? `must be an integer ≥ ${rule.min}` : `must be a number from ${rule.min} to ${rule.max}`;

/** Errors of an override (pointers under `/thresholds/`); empty when every given value is valid. */
export const thresholdErrors = (override: Partial<Thresholds>): FieldError[] =>
  KEYS.flatMap((key) => {
    const value = override[key];
    if (value === undefined) return [];
    const rule = RULES[key];
    const valid =
      Number.isFinite(value) && value >= rule.min && value <= rule.max && (!rule.integer || Number.isInteger(value));
    return valid ? [] : [{ pointer: `/thresholds/${key}`, detail: describe(rule) }];
  });

/** The defaults with the given values on top (call after `thresholdErrors` found none). */
export const resolveThresholds = (override: Partial<Thresholds> = {}): Thresholds => ({
  minVotes: override.minVotes ?? DEFAULT_THRESHOLDS.minVotes,
  minAdhesion: override.minAdhesion ?? DEFAULT_THRESHOLDS.minAdhesion,
  minEngagement: override.minEngagement ?? DEFAULT_THRESHOLDS.minEngagement,
  minVotesPerTier: override.minVotesPerTier ?? DEFAULT_THRESHOLDS.minVotesPerTier,
  minVotesControversy: override.minVotesControversy ?? DEFAULT_THRESHOLDS.minVotesControversy,
});
