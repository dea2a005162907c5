import { randomUUID } from 'node:crypto';
import { deterministicUuid } from '@app/events';
import { Caller, callerScope } from '../auth/caller';

/** What a command handler needs from the HTTP request besides the command itself. */
export interface RequestContext {
  readonly correlationId: string;
  /** Caller-scoped Idempotency-Key, when the client sent one. */
  readonly idempotencyKey?: string;
  readonly caller?: Caller;
  /** `METHOD path` of the route, part of the idempotency scope. */
  readonly route: string;
}

interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  url: string;
  caller?: Caller;
  idempotencyKey?: string;
}

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

export const requestContext = (request: RawRequest): RequestContext => {
  const given = request.headers['x-request-id'];
  return {
    correlationId: typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID(),
    idempotencyKey: request.idempotencyKey,
    caller: request.caller,
    route: `${request.method} ${request.url.split('?')[0]}`,
  };
};

/**
 * An id that a retry of the same request reproduces: derived from the Idempotency-Key when
 * there is one (so the projector can drop a duplicate even if the key store was lost), random
 * otherwise. `purpose` separates the several ids one request may need.
 */
export const idFor = (context: RequestContext, purpose: string): string =>
  context.idempotencyKey === undefined
    ? randomUUID()
    : deterministicUuid(purpose, callerScope(context.caller), context.route, context.idempotencyKey);
