import { Global, Inject, LoggerService, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { Kafka } from 'kafkajs';
import { EventAppender, createKafka } from '@app/kafka';
import { kafkaReadiness } from '@app/kafka/kafka-readiness';
import { ReadinessCheck } from '@app/observability';
import { createPool, postgresReadiness } from '@app/postgres';
import { TokenRevocations, createRedis, redisReadiness } from '@app/redis';
import { TerritoryIndex, loadTerritoryIndex } from '@app/territory';
import { ModeratorTokens } from '@app/auth';
import { ParticipantTokens, participantTokensFrom } from '@app/auth';
import { IdempotencyStore } from '../idempotency/idempotency-store';
import { KeyStore } from '../participants/key-store';
import { IngestConfig } from '../ingest.config';
import { Clock } from './clock';
import { CONFIG, KAFKA, LOGGER, PG_POOL, REDIS } from './tokens';
import { JsonLogger } from '@app/observability';

export const KAFKA_READINESS = Symbol('KAFKA_READINESS');
export const POSTGRES_READINESS = Symbol('POSTGRES_READINESS');
export const REDIS_READINESS = Symbol('REDIS_READINESS');

/**
 * The ingest's clients (Kafka producer, Redis, Postgres), built once from the validated config,
 * connected at start and closed last on shutdown (after Nest stopped taking requests).
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(config: IngestConfig, logger: JsonLogger) {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        Clock,
        {
          provide: KAFKA,
          useFactory: () =>
            createKafka({
              brokers: config.KAFKA_BROKERS,
              clientId: 'ingest-api',
              log: (level, message, extra) => logger.event(level, message, { kafka: extra }),
            }),
        },
        {
          provide: EventAppender,
          inject: [KAFKA],
          useFactory: (kafka: Kafka) =>
            new EventAppender({
              kafka,
              topicPrefix: config.TOPIC_PREFIX,
              ackTimeoutMs: config.KAFKA_ACK_TIMEOUT_MS,
              maxBatchMessages: config.KAFKA_MAX_BATCH_MESSAGES,
              lingerMs: config.KAFKA_LINGER_MS,
            }),
        },
        // Auto-pipelining: the idempotency store's SET NX / SET of concurrent requests share one
        // socket write per event-loop turn instead of one each (writes dominate its CPU cost).
        { provide: REDIS, useFactory: () => createRedis(config.REDIS_URL, 'ingest-api', { enableAutoPipelining: true }) },
        { provide: PG_POOL, useFactory: () => createPool(config.DATABASE_URL, config.PG_POOL_SIZE, 'ingest-api') },
        { provide: TerritoryIndex, useFactory: () => loadTerritoryIndex() },
        { provide: ParticipantTokens, useFactory: () => participantTokensFrom(config) },
        { provide: ModeratorTokens, useFactory: () => new ModeratorTokens(config.MODERATOR_TOKENS) },
        { provide: TokenRevocations, inject: [REDIS], useFactory: (redis: Redis) => new TokenRevocations(redis, config.REDIS_PREFIX) },
        { provide: KeyStore, inject: [PG_POOL], useFactory: (pool: Pool) => new KeyStore(pool) },
        {
          provide: IdempotencyStore,
          inject: [REDIS],
          useFactory: (redis: Redis) => new IdempotencyStore(redis, config.REDIS_PREFIX, config.IDEMPOTENCY_TTL_SECONDS),
        },
        {
          provide: KAFKA_READINESS,
          inject: [KAFKA, EventAppender],
          useFactory: (kafka: Kafka, appender: EventAppender): ReadinessCheck =>
            kafkaReadiness(kafka, () => {
              if (!appender.isHealthy()) throw new Error('the event producer is reconnecting after a failed send');
            }),
        },
        { provide: POSTGRES_READINESS, inject: [PG_POOL], useFactory: postgresReadiness },
        { provide: REDIS_READINESS, inject: [REDIS], useFactory: redisReadiness },
      ],
      exports: [
        CONFIG, LOGGER, Clock, KAFKA, EventAppender, REDIS, PG_POOL, TerritoryIndex, ParticipantTokens, ModeratorTokens,
        KeyStore, IdempotencyStore, TokenRevocations, KAFKA_READINESS, POSTGRES_READINESS, REDIS_READINESS,
      ],
    };
  }
}

/** Connects clients at start and closes them last. */
export class InfrastructureLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EventAppender) private readonly appender: EventAppender,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.redis.connect().catch((error: Error) => this.logger.warn(`Redis not reachable at start: ${error.message}`, 'Infrastructure'));
    await this.appender.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.appender.stop();
    await Promise.allSettled([this.redis.quit(), this.pool.end()]);
  }
}
