import { LoggerService } from '@nestjs/common';
import { ProblemError, problem, validationFailed } from '@app/http';
import { RequestWithCaller, callerScope } from '../auth/caller';
import { IdempotencyStore } from './idempotency-store';

export interface IdempotentRequest extends RequestWithCaller {
  /** The client's Idempotency-Key, when it sent one; handlers derive event ids from it. */
  idempotencyKey?: string;
}

/** What the idempotency rules read from a request and set on its reply (a Fastify request/reply). */
export interface IdempotentExchange {
  readonly request: IdempotentRequest & { readonly method: string; readonly url: string; readonly body?: unknown };
  readonly reply: { status(code: number): unknown; header(name: string, value: string): unknown };
  /** The status a success is answered with (the route's @HttpCode). */
  readonly successStatus: number;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

/**
 * API.md "Idempotency", for one request: without an Idempotency-Key, `handle` runs as is. With
 * one, the same key and body replay the first answer (status, body, `idempotent-replayed`);
 * another body → 422 idempotency-key-reused; the first still running → 409; answers ≥ 500 are
 * not stored, so the client can retry. When Redis is unreachable the request proceeds
 * unprotected by replays (ids derived from the key still make the projector count it once),
 * rather than refusing writes.
 *
 * The one implementation of these rules: IdempotencyInterceptor wraps it for Nest routes, the
 * vote routes call it directly (their hot path has no interceptor chain).
 */
export const idempotentCall = async (
  store: IdempotencyStore,
  logger: LoggerService,
  { request, reply, successStatus }: IdempotentExchange,
  handle: () => Promise<unknown>,
): Promise<unknown> => {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return handle();
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
    throw validationFailed([{ pointer: '/headers/idempotency-key', detail: 'Idempotency-Key must be 1–128 visible ASCII characters.' }]);
  }
  request.idempotencyKey = header;
  const scope = callerScope(request.caller);
  // The path without its query string: the same scope as the ids derived from the key
  // (request-context.ts), so another query cannot make the same key look like a fresh request.
  const route = `${request.method} ${request.url.split('?')[0]}`;
  const hash = IdempotencyStore.bodyHash(request.body);
  const claim = await store.claim(scope, route, header, hash).catch(() => undefined);
  if (claim === undefined) {
    logger.warn('idempotency store unavailable; proceeding without replay', 'IdempotencyInterceptor');
    return handle();
  }
  switch (claim.kind) {
    case 'replay':
      reply.status(claim.answer.status);
      reply.header('idempotent-replayed', 'true');
      if (claim.answer.status >= 400) reply.header('content-type', 'application/problem+json; charset=utf-8');
      return claim.answer.body;
    case 'in-flight':
      throw problem(409, 'idempotency-request-in-flight', 'A request with this Idempotency-Key is still being processed; retry later.');
    case 'reused-with-other-body':
      throw problem(422, 'idempotency-key-reused', 'This Idempotency-Key was used with another request body.');
    case 'claimed': {
      let body: unknown;
      try {
        body = await handle();
      } catch (error) {
        const status = error instanceof ProblemError ? error.problem.status : 500;
        if (status < 500 && error instanceof ProblemError) {
          await store.complete(scope, route, header, hash, { status, body: error.problem }).catch(() => undefined);
        } else {
          await store.release(scope, route, header).catch(() => undefined);
        }
        throw error;
      }
      await store.complete(scope, route, header, hash, { status: successStatus, body }).catch(() => undefined);
      return body;
    }
  }
};
