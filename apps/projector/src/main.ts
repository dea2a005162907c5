import 'reflect-metadata';
import { bootstrap } from '@app/http';
import { ProjectorConfig } from './projector.config';
import { ProjectorModule } from './projector.module';

bootstrap({
  app: 'projector',
  title: 'Consultation projector',
  description: 'Builds the read models from the event log. HTTP serves health and metrics only.',
  config: ProjectorConfig,
  module: (config, logger) => ProjectorModule.forRoot(config, logger),
});
