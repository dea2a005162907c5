import { DynamicModule, Module } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { createKafka } from '@app/kafka';
import { kafkaReadiness } from '@app/kafka/kafka-readiness';
import { JsonLogger, observability } from '@app/observability';
import { createPool, postgresReadiness } from '@app/postgres';
import { createRedis, redisReadiness } from '@app/redis';
import { ProjectorConfig } from './projector.config';
import { ProjectorService } from './projector.service';
import { CONFIG, KAFKA, LOGGER, PG_POOL, REDIS } from './tokens';

const KAFKA_READY = Symbol('KAFKA_READY');
const PG_READY = Symbol('PG_READY');
const REDIS_READY = Symbol('REDIS_READY');
const CONSUMER_READY = Symbol('CONSUMER_READY');

/** projector: Kafka consumer group → Postgres read models + Redis tallies; HTTP for health and metrics only. */
@Module({})
export class ProjectorModule {
  static forRoot(config: ProjectorConfig, logger: JsonLogger): DynamicModule {
    const health = observability({
      app: 'projector',
      readinessTimeoutMs: config.READINESS_TIMEOUT_MS,
      readinessChecks: [KAFKA_READY, PG_READY, REDIS_READY, CONSUMER_READY],
    });
    return {
      module: ProjectorModule,
      controllers: [...health.controllers],
      providers: [
        ...health.providers,
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: KAFKA,
          useFactory: () =>
            createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'projector', log: (level, message, extra) => logger.event(level, message, { kafka: extra }) }),
        },
        { provide: PG_POOL, useFactory: () => createPool(config.DATABASE_URL, config.PG_POOL_SIZE, 'projector') },
        { provide: REDIS, useFactory: () => createRedis(config.REDIS_URL, 'projector') },
        ProjectorService,
        { provide: KAFKA_READY, inject: [KAFKA], useFactory: (kafka: Kafka) => kafkaReadiness(kafka) },
        { provide: PG_READY, inject: [PG_POOL], useFactory: (pool: Pool) => postgresReadiness(pool) },
        { provide: REDIS_READY, inject: [REDIS], useFactory: (redis: Redis) => redisReadiness(redis) },
        { provide: CONSUMER_READY, inject: [ProjectorService], useFactory: (service: ProjectorService) => service.readiness() },
      ],
    };
  }
}
