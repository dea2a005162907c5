import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { runHttpApp } from '@app/http';
import { JsonLogger } from '@app/observability';
import { IngestConfig } from './ingest.config';
import { IngestModule } from './ingest.module';

const main = async (): Promise<void> => {
  const config = loadConfig(IngestConfig);
  const logger = new JsonLogger('ingest-api', config.LOG_LEVEL);
  await runHttpApp(IngestModule.forRoot(config, logger), {
    app: 'ingest-api',
    title: 'Consultation ingest API',
    description: 'Commands: consultations, participants, proposals, moderation and votes, appended to Kafka as events.',
    host: config.HOST,
    port: config.PORT,
    logger,
  });
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
