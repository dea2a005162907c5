import 'reflect-metadata';
import { bootstrap } from '@app/http';
import { IngestConfig } from './ingest.config';
import { IngestModule } from './ingest.module';

bootstrap({
  app: 'ingest-api',
  title: 'Consultation ingest API',
  description: 'Commands: consultations, participants, proposals, moderation and votes, appended to Kafka as events.',
  config: IngestConfig,
  module: (config, logger) => IngestModule.forRoot(config, logger),
  // Write answers (a registration's carries the participant's token) are never cached.
  defaultCacheControl: 'no-store',
});
