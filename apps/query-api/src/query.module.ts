import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { JsonLogger, observability } from '@app/observability';
import { ParticipantGuard, ViewerGuard } from './auth/viewer';
import { ExportController } from './export/export.controller';
import {
  InfrastructureLifecycle,
  InfrastructureModule,
  InfrastructureOverrides,
  POSTGRES_READINESS,
  REDIS_READINESS,
} from './infrastructure/infrastructure.module';
import { GetMyVotesHandler } from './my-votes/get-my-votes.handler';
import { MyVotesController } from './my-votes/my-votes.controller';
import { GetProposalHandler } from './proposals/get-proposal.handler';
import { ListProposalsHandler } from './proposals/list-proposals.handler';
import { ProposalsController } from './proposals/proposals.controller';
import { QueryConfig } from './query.config';
import { GetResultsHandler } from './results/get-results.handler';
import { ResultsController } from './results/results.controller';
import { GetSequenceHandler } from './sequence/get-sequence.handler';
import { SequenceController } from './sequence/sequence.controller';
import { GetStatsHandler } from './stats/get-stats.handler';
import { StatsController } from './stats/stats.controller';

/** query-api: reads the projector's read models (Postgres, Redis); never writes an event. */
@Module({})
export class QueryModule {
  static forRoot(config: QueryConfig, logger: JsonLogger, overrides: InfrastructureOverrides = {}): DynamicModule {
    const health = observability({
      app: 'query-api',
      readinessTimeoutMs: config.READINESS_TIMEOUT_MS,
      readinessChecks: [POSTGRES_READINESS, REDIS_READINESS],
    });
    return {
      module: QueryModule,
      imports: [CqrsModule.forRoot(), InfrastructureModule.forRoot(config, logger, overrides)],
      controllers: [
        ...health.controllers,
        StatsController,
        ProposalsController,
        ResultsController,
        SequenceController,
        MyVotesController,
        ExportController,
      ],
      providers: [
        ...health.providers,
        InfrastructureLifecycle,
        ViewerGuard,
        ParticipantGuard,
        GetStatsHandler,
        ListProposalsHandler,
        GetProposalHandler,
        GetResultsHandler,
        GetSequenceHandler,
        GetMyVotesHandler,
      ],
    };
  }
}
