import { arrayMaxSize, isString, maxLength } from 'class-validator';
import { FieldError, validationFailed } from '@app/http';

export interface CastVoteBody {
  readonly value: string;
  readonly qualifications?: readonly string[] | null;
}

/** Keys that class-transformer does not copy onto a DTO instance (they name inherited methods), so the whitelist never sees them. */
const isInheritedMethod = (key: string): boolean => typeof (Object.prototype as unknown as Record<string, unknown>)[key] === 'function';

const eachOf = (value: unknown, test: (item: unknown) => boolean): boolean => (Array.isArray(value) ? value.every(test) : test(value));

/**
 * The checks of CastVoteDto (cast-vote.dto.ts) as the global ValidationPipe runs them (whitelist,
 * forbidNonWhitelisted, no conversion), written out for the vote hot path: the same field errors,
 * in the same order, with the same messages, hence the same 422 problem documents. Types and
 * sizes only; value/qualification rules are the domain's (libs/domain vote.ts).
 * cast-vote.body.spec.ts runs both on a corpus of bodies and requires identical answers.
 */
export const castVoteBodyErrors = (body: Record<string, unknown>): FieldError[] => {
  const errors: FieldError[] = [];
  // Unknown fields first, in key order, as class-validator's whitelist reports them.
  for (const key of Object.keys(body)) {
    if (key !== 'value' && key !== 'qualifications' && !isInheritedMethod(key)) errors.push({ pointer: `/${key}`, detail: `unknown field ${key}` });
  }
  // Then each property's constraints in the order their decorators were registered (bottom-up).
  const value = body.value;
  if (!maxLength(value, 20)) errors.push({ pointer: '/value', detail: 'value must be shorter than or equal to 20 characters' });
  if (!isString(value)) errors.push({ pointer: '/value', detail: 'value must be a string' });
  const qualifications = body.qualifications;
  if (qualifications !== undefined && qualifications !== null) {
    if (!eachOf(qualifications, (q) => maxLength(q, 30))) {
      errors.push({ pointer: '/qualifications', detail: 'each value in qualifications must be shorter than or equal to 30 characters' });
    }
    if (!eachOf(qualifications, isString)) errors.push({ pointer: '/qualifications', detail: 'each value in qualifications must be a string' });
    if (!arrayMaxSize(qualifications, 3)) errors.push({ pointer: '/qualifications', detail: 'qualifications must contain no more than 3 elements' });
    if (!Array.isArray(qualifications)) errors.push({ pointer: '/qualifications', detail: 'qualifications must be an array' });
  }
  return errors;
};

/** The request body of `PUT …/vote`, or the 422 validation-failed problem the DTO pipe would raise. */
export const castVoteBody = (body: unknown): CastVoteBody => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationFailed([{ pointer: '', detail: 'the body must be a JSON object' }]);
  }
  const errors = castVoteBodyErrors(body as Record<string, unknown>);
  if (errors.length > 0) throw validationFailed(errors);
  return body as CastVoteBody;
};
