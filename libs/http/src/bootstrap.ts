import 'reflect-metadata';
import { DynamicModule } from '@nestjs/common';
import { CommonConfig, ConfigError, loadConfig } from '@app/config';
import { JsonLogger } from '@app/observability';
import { runHttpApp } from './run-http-app';
import { httpSecurityOf } from './security';

export interface BootstrapOptions<C extends CommonConfig & { PORT: number }> {
  readonly app: string;
  readonly title: string;
  readonly description: string;
  readonly config: new () => C;
  readonly module: (config: C, logger: JsonLogger) => DynamicModule;
  /** Cache-Control for answers that set none (the ingest: `no-store`). */
  readonly defaultCacheControl?: string;
}

/**
 * The whole `main.ts` of an app: read and validate the environment (a bad variable stops the
 * process with a message naming it, exit code 1), log JSON lines, serve the module.
 */
export const bootstrap = <C extends CommonConfig & { PORT: number }>(options: BootstrapOptions<C>): void => {
  const main = async (): Promise<void> => {
    const config = loadConfig(options.config);
    const logger = new JsonLogger(options.app, config.LOG_LEVEL);
    await runHttpApp(options.module(config, logger), {
      app: options.app,
      title: options.title,
      description: options.description,
      host: config.HOST,
      port: config.PORT,
      logger,
      security: httpSecurityOf(config, options.defaultCacheControl),
    });
  };
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
};
