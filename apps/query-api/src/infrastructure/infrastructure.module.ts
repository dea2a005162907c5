import { DynamicModule, Global, Inject, LoggerService, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { JsonLogger } from '@app/observability';
import { createPool, postgresReadiness } from '@app/postgres';
import { TokenRevocations, createRedis, redisReadiness } from '@app/redis';
import { ModeratorTokens } from '@app/auth';
import { ParticipantTokens, participantTokensFrom } from '@app/auth';
import { QueryConfig } from '../query.config';
import { computePopulationShares } from '../results/population-shares';
import { ResultSettings } from '../results/results';
import { SequenceConfig } from '../sequence/get-sequence.handler';
import { ConsultationDirectory } from '../snapshot/consultation-directory';
import { SnapshotStore } from '../snapshot/snapshot-store';
import { ReadModels } from './read-models';
import { RedisProjectionReader } from './redis-reads';
import { CONFIG, LOGGER, PG_POOL, POPULATION_SHARES, REDIS, RESULT_SETTINGS, SEQUENCE_SETTINGS } from './tokens';

export const POSTGRES_READINESS = Symbol('POSTGRES_READINESS');
export const REDIS_READINESS = Symbol('REDIS_READINESS');

export interface InfrastructureOverrides {
  /** Randomness of the voting sequence (tests pass a seeded one). */
  readonly random?: () => number;
}

/**
 * The query app's clients (Postgres, Redis) and read-side services, built once from the
 * validated config. Only Postgres and Redis are needed: the query side never touches Kafka.
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(config: QueryConfig, logger: JsonLogger, overrides: InfrastructureOverrides = {}): DynamicModule {
    const settings: ResultSettings = {
      controversyMin: config.CONTROVERSY_MIN,
      consensusMinTierAgreement: config.CONSENSUS_MIN_TIER_AGREEMENT,
      divergenceMinGap: config.DIVERGENCE_MIN_GAP,
    };
    const sequence: SequenceConfig = { exploration: config.SEQUENCE_EXPLORATION, random: overrides.random ?? Math.random };
    return {
      module: InfrastructureModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: REDIS, useFactory: () => createRedis(config.REDIS_URL, 'query-api') },
        { provide: PG_POOL, useFactory: () => createPool(config.DATABASE_URL, config.PG_POOL_SIZE, 'query-api') },
        { provide: ParticipantTokens, useFactory: () => participantTokensFrom(config) },
        { provide: TokenRevocations, inject: [REDIS], useFactory: (redis: Redis) => new TokenRevocations(redis, config.REDIS_PREFIX) },
        { provide: ModeratorTokens, useFactory: () => new ModeratorTokens(config.MODERATOR_TOKENS) },
        {
          provide: ReadModels,
          inject: [PG_POOL],
          useFactory: (pool: Pool) =>
            new ReadModels({ pool, schema: config.READMODEL_SCHEMA, projection: config.READMODEL_PROJECTION, topicPrefix: config.TOPIC_PREFIX }),
        },
        {
          provide: RedisProjectionReader,
          inject: [REDIS],
          useFactory: (redis: Redis) => new RedisProjectionReader(
              redis,
              config.REDIS_PROJECTION_PREFIX,
              config.REDIS_PROJECTION_POINTER || `${config.REDIS_PROJECTION_PREFIX}:active`,
            ),
        },
        { provide: SnapshotStore, inject: [ReadModels], useFactory: (models: ReadModels) => new SnapshotStore(models, config.SNAPSHOT_TTL_MS, config.SNAPSHOT_MAX_STALE_MS) },
        { provide: ConsultationDirectory, inject: [ReadModels], useFactory: (models: ReadModels) => new ConsultationDirectory(models) },
        { provide: POPULATION_SHARES, useFactory: computePopulationShares },
        { provide: RESULT_SETTINGS, useValue: settings },
        { provide: SEQUENCE_SETTINGS, useValue: sequence },
        { provide: POSTGRES_READINESS, inject: [PG_POOL], useFactory: postgresReadiness },
        { provide: REDIS_READINESS, inject: [REDIS], useFactory: redisReadiness },
      ],
      exports: [
        CONFIG, LOGGER, REDIS, PG_POOL, ParticipantTokens, ModeratorTokens, TokenRevocations, ReadModels, RedisProjectionReader, SnapshotStore,
        ConsultationDirectory, POPULATION_SHARES, RESULT_SETTINGS, SEQUENCE_SETTINGS, POSTGRES_READINESS, REDIS_READINESS,
      ],
    };
  }
}

/** Connects Redis at start and closes the clients last. */
export class InfrastructureLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.redis.connect().catch((error: Error) => this.logger.warn(`Redis not reachable at start: ${error.message}`, 'Infrastructure'));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.redis.quit(), this.pool.end()]);
  }
}
