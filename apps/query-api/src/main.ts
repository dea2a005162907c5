import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { runHttpApp } from '@app/http';
import { JsonLogger } from '@app/observability';
import { QueryConfig } from './query.config';
import { QueryModule } from './query.module';

const main = async (): Promise<void> => {
  const config = loadConfig(QueryConfig);
  const logger = new JsonLogger('query-api', config.LOG_LEVEL);
  await runHttpApp(QueryModule.forRoot(config, logger), {
    app: 'query-api',
    title: 'Consultation query API',
    description: 'Reads: live stats, proposals, per-tier results, voting sequence, my votes and the open-data export.',
    host: config.HOST,
    port: config.PORT,
    logger,
  });
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
