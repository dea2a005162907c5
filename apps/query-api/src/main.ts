import 'reflect-metadata';
import { bootstrap } from '@app/http';
import { QueryConfig } from './query.config';
import { QueryModule } from './query.module';

bootstrap({
  app: 'query-api',
  title: 'Consultation query API',
  description: 'Reads: live stats, proposals, per-tier results, voting sequence, my votes and the open-data export.',
  config: QueryConfig,
  module: (config, logger) => QueryModule.forRoot(config, logger),
});
