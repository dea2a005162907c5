import { Inject, Injectable, LoggerService, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { MetricsRegistry, ReadinessCheck } from '@app/observability';
import { PostgresProjection } from './projection/postgres-projection';
import { ProjectorRunner } from './projection/projector-runner';
import { RedisProjection } from './projection/redis-projection';
import { ProjectorConfig } from './projector.config';
import { ProjectorMetrics } from './projector-metrics';
import { CONFIG, KAFKA, LOGGER, PG_POOL, REDIS } from './tokens';

/** Runs the consumer group for the life of the app; stops it first on shutdown. */
@Injectable()
export class ProjectorService implements OnModuleInit, OnApplicationShutdown {
  private runner?: ProjectorRunner;
  private running = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: ProjectorConfig,
    @Inject(LOGGER) private readonly logger: LoggerService,
    private readonly metrics: MetricsRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    const metrics = new ProjectorMetrics(this.metrics, () => this.runner);
    await this.redis.connect().catch((error: Error) => this.logger.warn(`Redis not reachable at start: ${error.message}`, 'Projector'));
    this.runner = new ProjectorRunner({
      kafka: this.kafka,
      groupId: this.config.PROJECTOR_GROUP_ID,
      topicPrefix: this.config.TOPIC_PREFIX,
      partitionsConsumedConcurrently: this.config.PROJECTOR_PARTITIONS_CONCURRENTLY,
      projections: [
        new PostgresProjection({ pool: this.pool, schema: this.config.READMODEL_SCHEMA }),
        new RedisProjection({ redis: this.redis, prefix: this.config.REDIS_PROJECTION_PREFIX }),
      ],
      onBatch: metrics.onBatch,
      // The record itself stays in the dead-letter topic; logs carry its position, never its content.
      onDeadLetter: ({ topic, partition, offset, reason }) =>
        this.logger.error({ msg: 'dead letter', topic, partition, offset, reason }, 'Projector'),
      onError: (error) => this.logger.error(error instanceof Error ? error : String(error), 'Projector'),
    });
    await this.runner.start();
    this.running = true;
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.runner?.stop();
    await Promise.allSettled([this.redis.quit(), this.pool.end()]);
  }

  readiness(): ReadinessCheck {
    return {
      name: 'consumer',
      check: async () => {
        if (!this.running) throw new Error('the consumer is not running');
      },
    };
  }
}
