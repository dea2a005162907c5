import { DynamicModule, LoggerService, Type } from '@nestjs/common';
import { MetricsRegistry } from '@app/observability';
import { observeHttp } from './http-metrics';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemFilter } from './problem.filter';
import { problem } from './problem';
import { answerClientError } from './client-error';
import { createValidationPipe } from './validation.pipe';
import { DEFAULT_HTTP_SECURITY, HttpSecurityOptions, applyHttpSecurity } from './security';

export interface HttpAppOptions {
  readonly title: string;
  readonly description: string;
  readonly logger: LoggerService;
  /** API.md: a body over 16 KiB gets 413. */
  readonly bodyLimit?: number;
  /** CORS allow-list, HSTS, trusted proxies (httpSecurityOf(config)); defaults: DEFAULT_HTTP_SECURITY. */
  readonly security?: HttpSecurityOptions;
}

/**
 * A Nest app on Fastify with the contract's common behaviour: JSON bodies only (415 otherwise),
 * a 16 KiB limit (413), Problem Details for every error, strict DTO validation (422), the
 * OpenAPI document at /docs and /docs-json, security headers and CORS (security.ts), and
 * shutdown hooks for SIGTERM.
 */
export const createHttpApp = async (module: Type | DynamicModule, options: HttpAppOptions): Promise<NestFastifyApplication> => {
  const security = options.security ?? DEFAULT_HTTP_SECURITY;
  const adapter = new FastifyAdapter({
    // request.ip is the socket's peer unless that peer is a trusted proxy: then the first
    // untrusted address of X-Forwarded-For, read from the right (docs/security.md).
    trustProxy: security.trustedProxies.length > 0 ? [...security.trustedProxies] : false,
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    logger: false,
    return503OnClosing: true,
    // Long path ids reach the route (and get its 404 problem) instead of Fastify's bare 414.
    routerOptions: { maxParamLength: 8 * 1024 },
    // Errors Node's HTTP parser raises before any route (e.g. headers over 16 KiB) still answer
    // with a problem document.
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: options.logger,
    bufferLogs: false,
    // Our own JSON parser below (empty body = no body); Nest must not register its own.
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: remove the text/plain parser Fastify ships, so any non-JSON body gets 415. An
  // empty JSON body is read as no body (routes without one, e.g. accept, take it from clients
  // that always send the header); routes that need a body then answer 422.
  fastify.removeContentTypeParser(['text/plain', 'application/json']);
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(problem(400, 'malformed-json', 'The body is not valid UTF-8.'), undefined);
      return;
    }
    if (text === '') done(null, undefined);
    else parseJson(request, text, done);
  });
  observeHttp(fastify, app.get(MetricsRegistry, { strict: false }));
  applyHttpSecurity(app, security);
  app.useGlobalFilters(new ProblemFilter(options.logger));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion('1').addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
};
