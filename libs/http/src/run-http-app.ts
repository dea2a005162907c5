import { DynamicModule, Type } from '@nestjs/common';
import { JsonLogger } from '@app/observability';
import { createHttpApp } from './create-http-app';
import { HttpSecurityOptions } from './security';

export interface RunOptions {
  readonly app: string;
  readonly title: string;
  readonly description: string;
  readonly host: string;
  readonly port: number;
  readonly logger: JsonLogger;
  readonly security?: HttpSecurityOptions;
}

/**
 * Starts an app and logs where it listens. SIGTERM/SIGINT close it gracefully: Fastify stops
 * accepting connections (503 while closing), in-flight requests finish, then the modules'
 * shutdown hooks flush producers and disconnect clients.
 */
export const runHttpApp = async (module: Type | DynamicModule, options: RunOptions): Promise<void> => {
  const app = await createHttpApp(module, { title: options.title, description: options.description, logger: options.logger, security: options.security });
  await app.listen(options.port, options.host);
  options.logger.event('info', 'listening', { url: `http://${options.host}:${options.port}`, docs: `http://${options.host}:${options.port}/docs` });
};
