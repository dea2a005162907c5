import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import { Tier } from '@app/events';
import { createHttpApp, httpSecurityOf } from '@app/http';
import { JsonLogger } from '@app/observability';
import { TestDatabase, createTestDatabase, testEnv, uniquePrefix, tolerateTermination } from '@app/testing';
import { ParticipantTokens } from '@app/auth';
import { PostgresProjection } from '../../projector/src/projection/postgres-projection';
import { PositionedEvent } from '../../projector/src/projection/projection-batch';
import { RedisProjection } from '../../projector/src/projection/redis-projection';
import { QueryConfig } from '../src/query.config';
import { QueryModule } from '../src/query.module';

export const MODERATOR_TOKEN = 'test-moderator-token-0123456789';
export const TOKEN_SECRET = 'test-token-secret-0123456789-0123456789';

/** Read models of one test file: its own database (cloned from the migrated template) and Redis prefix. */
export interface ReadSide {
  readonly database: TestDatabase;
  readonly pool: Pool;
  readonly redis: Redis;
  readonly topicPrefix: string;
  readonly redisProjectionPrefix: string;
  /** Applies the records to both projections (as the projector would), in batches of `batchSize`. */
  project(records: readonly PositionedEvent[], batchSize?: number): Promise<void>;
  close(): Promise<void>;
}

export const createReadSide = async (label: string): Promise<ReadSide> => {
  const topicPrefix = uniquePrefix(label);
  const database = await createTestDatabase(label);
  const pool = new Pool({ connectionString: database.url, max: 4 });
  tolerateTermination(pool);
  const redis = new Redis(testEnv.redisUrl());
  const redisProjectionPrefix = `${topicPrefix}rm`;
  const postgres = new PostgresProjection({ pool });
  const redisProjection = new RedisProjection({ redis, prefix: redisProjectionPrefix });
  return {
    database,
    pool,
    redis,
    topicPrefix,
    redisProjectionPrefix,
    project: async (records, batchSize = 500) => {
      for (let i = 0; i < records.length; i += batchSize) {
        const batch = { events: records.slice(i, i + batchSize), positions: [] };
        await postgres.apply(batch);
        await redisProjection.apply(batch);
      }
    },
    close: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${topicPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
      await pool.end();
      await database.drop();
    },
  };
};

export interface QueryHarness {
  readonly url: string;
  readonly config: QueryConfig;
  readonly app: NestFastifyApplication;
  readonly logs: string[];
  /** A participant token as the ingest would sign it. */
  tokenFor(participantId: string, tier: Tier): string;
  close(): Promise<void>;
}

/** Boots a real query-api in the test process on a random port, reading `side`'s read models. */
export const startQuery = async (
  side: ReadSide,
  overrides: Record<string, string> = {},
  options: { random?: () => number } = {},
): Promise<QueryHarness> => {
  const config = loadConfig(QueryConfig, {
    DATABASE_URL: side.database.url,
    REDIS_URL: testEnv.redisUrl(),
    REDIS_PREFIX: side.topicPrefix,
    REDIS_PROJECTION_PREFIX: side.redisProjectionPrefix,
    TOPIC_PREFIX: side.topicPrefix,
    TOKEN_SECRET,
    MODERATOR_TOKENS: `tester:${MODERATOR_TOKEN}`,
    PORT: '0',
    LOG_LEVEL: 'warn',
    SNAPSHOT_TTL_MS: '0',
    SNAPSHOT_MAX_STALE_MS: '0',
    PG_POOL_SIZE: '4',
    ...overrides,
  });
  const logs: string[] = [];
  const logger = new JsonLogger('query-api', config.LOG_LEVEL, (line) => logs.push(line));
  const app = await createHttpApp(QueryModule.forRoot(config, logger, options), {
    title: 'query',
    description: 'test',
    logger,
    security: httpSecurityOf(config),
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const tokens = new ParticipantTokens(TOKEN_SECRET);
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    app,
    logs,
    tokenFor: (participantId, tier) => tokens.sign({ participantId, tier, exp: Math.floor(Date.now() / 1000) + 3600 }),
    close: () => app.close(),
  };
};

export const randomId = (): string => {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};
