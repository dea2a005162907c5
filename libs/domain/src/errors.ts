import { Result } from './result';

/**
 * The refusals the domain can give, as a discriminated union on a stable `type` slug. The HTTP
 * layer turns one into `application/problem+json` (RFC 9457): `type` and `detail` as they are,
 * `status` from `HTTP_STATUS_OF`, `title` from `TITLE_OF`, and every other field as an extension
 * member. Slugs are part of the public contract (API.md): never rename one.
 */

/** One broken rule of a request body. `pointer` is a JSON Pointer (RFC 6901) into the body. */
export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
}

export type PhaseName = 'proposals' | 'votes';

export interface ValidationFailed {
  readonly type: 'validation-failed';
  readonly detail: string;
  /** Every rule the body breaks, not only the first, so a client can fix them all at once. */
  readonly errors: readonly FieldError[];
}

export interface PhaseClosed {
  readonly type: 'phase-closed';
  readonly detail: string;
  readonly consultation: string;
  readonly window: PhaseName;
  /** The window's bounds as scheduled (open ≤ t < close) and the instant it was judged at. */
  readonly opensAt: string;
  readonly closesAt: string;
  readonly at: string;
}

export interface ConsultationNotFound {
  readonly type: 'consultation-not-found';
  readonly detail: string;
  readonly consultation: string;
}

export interface ConsultationExists {
  readonly type: 'consultation-exists';
  readonly detail: string;
  readonly slug: string;
}

export interface ProposalNotFound {
  readonly type: 'proposal-not-found';
  readonly detail: string;
  readonly proposalId: string;
}

export interface ProposalNotVotable {
  readonly type: 'proposal-not-votable';
  readonly detail: string;
  readonly proposalId: string;
  readonly status: 'pending' | 'refused';
}

export interface ProposalQuotaExceeded {
  readonly type: 'proposal-quota-exceeded';
  readonly detail: string;
  readonly consultation: string;
  readonly limit: number;
}

/**
 * A proposal id that is already taken by another author, consultation or text. Ids are derived
 * from the caller-scoped Idempotency-Key, so this only happens on a defect or a forged id; without
 * it, the second submission would be silently merged into the first.
 */
export interface ProposalIdConflict {
  readonly type: 'proposal-id-conflict';
  readonly detail: string;
  readonly proposalId: string;
}

/**
 * A proposal refused because its text held personal data: the text was scrubbed everywhere it is
 * served from, so it cannot be published again.
 */
export interface ProposalTextErased {
  readonly type: 'proposal-text-erased';
  readonly detail: string;
  readonly proposalId: string;
}

export type DomainError =
  | ValidationFailed
  | PhaseClosed
  | ConsultationNotFound
  | ConsultationExists
  | ProposalNotFound
  | ProposalNotVotable
  | ProposalQuotaExceeded
  | ProposalIdConflict
  | ProposalTextErased;

export type DomainErrorType = DomainError['type'];

/** What every decide function returns. */
export type DomainResult<T> = Result<T, DomainError>;

/**
 * The one place where a domain refusal becomes an HTTP status.
 * - 404: the addressed resource does not exist (in the write model's view of the log).
 * - 409: the request is well formed but the current state forbids it (closed window, proposal
 *   not accepted, slug taken, id taken); the same request may succeed in another state.
 * - 422: the body breaks a rule; retrying it unchanged can never succeed (the quota included:
 *   API.md lists it among the 422 rule violations).
 */
export const HTTP_STATUS_OF: { readonly [T in DomainErrorType]: number } = {
  'validation-failed': 422,
  'phase-closed': 409,
  'consultation-not-found': 404,
  'consultation-exists': 409,
  'proposal-not-found': 404,
  'proposal-not-votable': 409,
  'proposal-quota-exceeded': 422,
  'proposal-id-conflict': 409,
  'proposal-text-erased': 409,
};

/** Problem Details `title`: short, constant per type (the `detail` is the occurrence's). */
export const TITLE_OF: { readonly [T in DomainErrorType]: string } = {
  'validation-failed': 'The request breaks a rule',
  'phase-closed': 'This phase of the consultation is not open',
  'consultation-not-found': 'Unknown consultation',
  'consultation-exists': 'This consultation already exists',
  'proposal-not-found': 'Unknown proposal',
  'proposal-not-votable': 'This proposal cannot be voted on',
  'proposal-quota-exceeded': 'Proposal quota reached',
  'proposal-id-conflict': 'This proposal id is already taken',
  'proposal-text-erased': 'This proposal was refused for personal data and cannot be published',
};

export const validationFailed = (errors: readonly FieldError[]): ValidationFailed => ({
  type: 'validation-failed',
  detail: errors.map((e) => `${e.pointer}: ${e.detail}`).join('; '),
  errors,
});

