import { ParseUUIDPipe } from '@nestjs/common';
import { problem, validationFailed } from '@app/http';
import { TIERS, Tier } from '@app/events';

/** Query-string parsing: a wrong value is a 422 `validation-failed` naming `/query/<name>`. */
const invalid = (name: string, detail: string) => validationFailed([{ pointer: `/query/${name}`, detail }]);

export const parseLimit = (raw: string | undefined, fallback: number, max: number): number => {
  if (raw === undefined) return fallback;
  const limit = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= max)) throw invalid('limit', `must be an integer from 1 to ${max}`);
  return limit;
};

export const parseChoice = <T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T): T => {
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw invalid(name, `must be one of ${allowed.join(', ')}`);
  return raw as T;
};

export const parseTier = (name: string, raw: string | undefined): Tier | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (!(TIERS as readonly string[]).includes(raw)) throw invalid(name, `must be one of ${TIERS.join(', ')}`);
  return raw as Tier;
};

/** A path id that is not a UUID names nothing: 404, like an unknown one. */
export const proposalIdParam = (): ParseUUIDPipe =>
  new ParseUUIDPipe({ exceptionFactory: () => problem(404, 'proposal-not-found', 'No proposal has this id.') });

export const consultationNotFound = (slug: string) =>
  problem(404, 'consultation-not-found', `No consultation is known with the slug ${JSON.stringify(slug)}.`, { slug });

export const proposalNotFound = () => problem(404, 'proposal-not-found', 'No proposal has this id.');

/** Cache-Control of hot public answers: any cache may keep them one second. */
export const PUBLIC_CACHE = 'public, max-age=1';
/** Cache-Control of answers about one caller (participant or moderator views). */
export const PRIVATE_NO_STORE = 'private, no-store';
