import { CallHandler, ExecutionContext, Injectable, LoggerService, NestInterceptor, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, defer, lastValueFrom } from 'rxjs';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { IdempotencyStore } from './idempotency-store';
import { IdempotentRequest, idempotentCall } from './idempotent-call';
import { LOGGER } from '../infrastructure/tokens';

export type { IdempotentRequest } from './idempotent-call';

/** API.md "Idempotency" for Nest routes: the rules of idempotent-call.ts around the route's handler. */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & IdempotentRequest>();
    // Nest applies @HttpCode after interceptors complete, so read the status it will use.
    const successStatus =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ?? (request.method === 'POST' ? 201 : 200);
    return defer(() =>
      idempotentCall(this.store, this.logger, { request, reply: http.getResponse<FastifyReply>(), successStatus }, () => lastValueFrom(next.handle())),
    );
  }
}
