import { DynamicModule, LoggerService, Type } from '@nestjs/common';
import { MetricsRegistry } from '@app/observability';
import { observeHttp } from './http-metrics';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemFilter } from './problem.filter';
import { createValidationPipe } from './validation.pipe';

export interface HttpAppOptions {
  readonly title: string;
  readonly description: string;
  readonly logger: LoggerService;
  /** API.md: a body over 16 KiB gets 413. */
  readonly bodyLimit?: number;
}

/**
 * A Nest app on Fastify with the contract's common behaviour: JSON bodies only (415 otherwise),
 * a 16 KiB limit (413), Problem Details for every error, strict DTO validation (422), the
 * OpenAPI document at /docs and /docs-json, and shutdown hooks for SIGTERM.
 */
export const createHttpApp = async (module: Type | DynamicModule, options: HttpAppOptions): Promise<NestFastifyApplication> => {
  const adapter = new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 16 * 1024, logger: false, return503OnClosing: true });
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
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });
  observeHttp(fastify, app.get(MetricsRegistry, { strict: false }));
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
