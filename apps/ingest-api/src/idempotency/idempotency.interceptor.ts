import { CallHandler, ExecutionContext, Injectable, LoggerService, NestInterceptor, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, from, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { ProblemError, problem, validationFailed } from '@app/http';
import { RequestWithCaller, callerScope } from '../auth/caller';
import { IdempotencyStore } from './idempotency-store';
import { LOGGER } from '../infrastructure/tokens';

export interface IdempotentRequest extends RequestWithCaller {
  /** The client's Idempotency-Key, when it sent one; handlers derive event ids from it. */
  idempotencyKey?: string;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

/**
 * API.md "Idempotency": the same key and body replay the first answer; another body → 422
 * idempotency-key-reused; the first still running → 409. Answers ≥ 500 are not stored.
 * When Redis is unreachable the request proceeds unprotected by replays (ids derived from the
 * key still make the projector count it once), rather than refusing writes.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & IdempotentRequest>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      return throwError(() =>
        validationFailed([{ pointer: '/headers/idempotency-key', detail: 'Idempotency-Key must be 1–128 visible ASCII characters.' }]),
      );
    }
    request.idempotencyKey = header;
    const scope = callerScope(request.caller);
    const route = `${request.method} ${request.url}`;
    const hash = IdempotencyStore.bodyHash(request.body);
    const reply = http.getResponse<FastifyReply>();
    // Nest applies @HttpCode after interceptors complete, so read the status it will use.
    const successStatus =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ?? (request.method === 'POST' ? 201 : 200);

    return from(this.store.claim(scope, route, header, hash).catch(() => undefined)).pipe(
      mergeMap((claim) => {
        if (claim === undefined) {
          this.logger.warn('idempotency store unavailable; proceeding without replay', 'IdempotencyInterceptor');
          return next.handle();
        }
        switch (claim.kind) {
          case 'replay':
            reply.status(claim.answer.status).header('idempotent-replayed', 'true');
            if (claim.answer.status >= 400) reply.header('content-type', 'application/problem+json; charset=utf-8');
            return of(claim.answer.body);
          case 'in-flight':
            return throwError(() => problem(409, 'idempotency-request-in-flight', 'A request with this Idempotency-Key is still being processed; retry later.'));
          case 'reused-with-other-body':
            return throwError(() => problem(422, 'idempotency-key-reused', 'This Idempotency-Key was used with another request body.'));
          case 'claimed':
            return next.handle().pipe(
              mergeMap((body) => from(this.settle(scope, route, header, hash, { status: successStatus, body })).pipe(mergeMap(() => of(body)))),
              catchError((error: unknown) => {
                const status = error instanceof ProblemError ? error.problem.status : 500;
                const stored =
                  status < 500 && error instanceof ProblemError
                    ? this.settle(scope, route, header, hash, { status, body: error.problem })
                    : this.store.release(scope, route, header).catch(() => undefined);
                return from(stored).pipe(mergeMap(() => throwError(() => error)));
              }),
            );
        }
      }),
    );
  }

  private async settle(scope: string, route: string, key: string, hash: string, answer: { status: number; body: unknown }): Promise<void> {
    await this.store.complete(scope, route, key, hash, answer).catch(() => undefined);
  }
}
