import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { JsonLogger, observability } from '@app/observability';
import { ParticipantGuard, ModeratorGuard } from './auth/guards';
import { ConsultationsController } from './consultations/consultations.controller';
import { ScheduleConsultationHandler } from './consultations/schedule-consultation.handler';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IngestConfig } from './ingest.config';
import {
  InfrastructureLifecycle,
  InfrastructureModule,
  KAFKA_READINESS,
  POSTGRES_READINESS,
  REDIS_READINESS,
} from './infrastructure/infrastructure.module';
import { ModerateProposalHandler } from './moderation/moderate-proposal.handler';
import { ModerationController } from './moderation/moderation.controller';
import { ParticipantsController } from './participants/participants.controller';
import { participantStandingFeature } from './participant-standing/participant-standing.feature';
import { ErasureController } from './participants/erasure.controller';
import { EraseParticipantHandler } from './participants/erase-participant.handler';
import { ErasureSweeper } from './participants/erasure-sweeper';
import { RegisterParticipantHandler } from './participants/register-participant.handler';
import { ProposalsController } from './proposals/proposals.controller';
import { SubmitProposalHandler } from './proposals/submit-proposal.handler';
import { CastVoteHandler } from './votes/cast-vote.handler';
import { RetractVoteHandler } from './votes/retract-vote.handler';
import { VotesController } from './votes/votes.controller';
import { EventLog } from './write-model/event-log.service';
import { WriteModelService } from './write-model/write-model.service';
import { IngestMetrics } from './infrastructure/ingest-metrics';
import { WriteGate } from './abuse/write-gate';
import { RevocationController } from './revocation/revocation.controller';
import { LoadShedder } from './load-shedding/load-shedder';

const WRITE_MODEL_READINESS = Symbol('WRITE_MODEL_READINESS');
const LOAD_SHEDDING_READINESS = Symbol('LOAD_SHEDDING_READINESS');

/** ingest-api: HTTP commands → decide → append events to Kafka (acks=all). */
@Module({})
export class IngestModule {
  static forRoot(config: IngestConfig, logger: JsonLogger): DynamicModule {
    const health = observability({
      app: 'ingest-api',
      readinessTimeoutMs: config.READINESS_TIMEOUT_MS,
      readinessChecks: [KAFKA_READINESS, POSTGRES_READINESS, REDIS_READINESS, WRITE_MODEL_READINESS, LOAD_SHEDDING_READINESS],
    });
    const standing = participantStandingFeature(config);
    return {
      module: IngestModule,
      imports: [CqrsModule.forRoot(), InfrastructureModule.forRoot(config, logger)],
      controllers: [
        ...health.controllers,
        ConsultationsController,
        ParticipantsController,
        ErasureController,
        ProposalsController,
        ModerationController,
        ...standing.controllers,
        VotesController,
        RevocationController,
      ],
      providers: [
        ...health.providers,
        InfrastructureLifecycle,
        WriteModelService,
        { provide: WRITE_MODEL_READINESS, inject: [WriteModelService], useFactory: (w: WriteModelService) => w.readiness() },
        EventLog,
        IngestMetrics,
        LoadShedder,
        { provide: LOAD_SHEDDING_READINESS, inject: [LoadShedder], useFactory: (s: LoadShedder) => s.readiness() },
        ParticipantGuard,
        ModeratorGuard,
        ...standing.providers,
        WriteGate,
        IdempotencyInterceptor,
        ScheduleConsultationHandler,
        RegisterParticipantHandler,
        EraseParticipantHandler,
        ErasureSweeper,
        SubmitProposalHandler,
        ModerateProposalHandler,
        CastVoteHandler,
        RetractVoteHandler,
      ],
    };
  }
}
