import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { runHttpApp } from '@app/http';
import { JsonLogger } from '@app/observability';
import { ProjectorConfig } from './projector.config';
import { ProjectorModule } from './projector.module';

const main = async (): Promise<void> => {
  const config = loadConfig(ProjectorConfig);
  const logger = new JsonLogger('projector', config.LOG_LEVEL);
  await runHttpApp(ProjectorModule.forRoot(config, logger), {
    app: 'projector',
    title: 'Consultation projector',
    description: 'Builds the read models from the event log. HTTP serves health and metrics only.',
    host: config.HOST,
    port: config.PORT,
    logger,
  });
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
