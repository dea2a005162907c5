import { randomBytes } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { loadConfig } from '@app/config';
import { createHttpApp } from '@app/http';
import { JsonLogger } from '@app/observability';
import { testEnv } from '@app/testing';
import { IngestHarness, MODERATOR_TOKEN, TOKEN_SECRET, startIngest } from '../../apps/ingest-api/test/ingest-harness';
import { ProjectorConfig } from '../../apps/projector/src/projector.config';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { QueryConfig } from '../../apps/query-api/src/query.config';
import { QueryModule } from '../../apps/query-api/src/query.module';

/**
 * The three apps in the test process against the real Kafka, Postgres and Redis, isolated like
 * the ingest harness: the ingest's own topics (unique prefix), database (cloned from the migrated
 * template) and Redis prefix; the projector and the query API on the same ones, with the Redis
 * projection under `<prefix>rm` (REDIS_PROJECTION_PREFIX of both).
 *
 * The projector and the query API are optional: when one cannot be started, `projector` /
 * `queryUrl` are undefined and `unavailable` says why, so a test can skip what needs it with a
 * message instead of failing on an app still being written.
 */
export interface LocalStack {
  readonly ingest: IngestHarness;
  readonly moderatorToken: string;
  readonly queryUrl?: string;
  readonly projector?: INestApplication;
  readonly topicPrefix: string;
  readonly databaseUrl: string;
  /** Where the projector keeps its Redis projection (and the query API reads it). */
  readonly redisProjectionPrefix: string;
  readonly unavailable: readonly string[];
  close(): Promise<void>;
}

const urlOf = (app: INestApplication): string => {
  const address: unknown = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? Reflect.get(address, 'port') : undefined;
  return `http://127.0.0.1:${String(port)}`;
};

const reason = (app: string, error: unknown): string => `${app} could not be started: ${error instanceof Error ? error.message : String(error)}`;

const startProjector = async (ingest: IngestHarness, label: string, redisPrefix: string): Promise<INestApplication> => {
  const config = loadConfig(ProjectorConfig, {
    KAFKA_BROKERS: testEnv.kafkaBrokers().join(','),
    TOPIC_PREFIX: ingest.topicPrefix,
    DATABASE_URL: ingest.database.url,
    REDIS_URL: testEnv.redisUrl(),
    REDIS_PREFIX: ingest.topicPrefix,
    REDIS_PROJECTION_PREFIX: redisPrefix,
    PROJECTOR_GROUP_ID: `${label}-${randomBytes(4).toString('hex')}`,
    PORT: '0',
    LOG_LEVEL: 'warn',
  });
  const logger = new JsonLogger('projector', config.LOG_LEVEL, () => undefined);
  const app = await createHttpApp(ProjectorModule.forRoot(config, logger), { title: 'projector', description: 'load test', logger });
  await app.listen(0, '127.0.0.1');
  return app;
};

const startQuery = async (ingest: IngestHarness, redisPrefix: string): Promise<INestApplication> => {
  const config = loadConfig(QueryConfig, {
    DATABASE_URL: ingest.database.url,
    REDIS_URL: testEnv.redisUrl(),
    REDIS_PREFIX: ingest.topicPrefix,
    REDIS_PROJECTION_PREFIX: redisPrefix,
    TOPIC_PREFIX: ingest.topicPrefix,
    TOKEN_SECRET,
    MODERATOR_TOKENS: `tester:${MODERATOR_TOKEN}`,
    PORT: '0',
    LOG_LEVEL: 'warn',
  });
  const logger = new JsonLogger('query-api', config.LOG_LEVEL, () => undefined);
  const app = await createHttpApp(QueryModule.forRoot(config, logger), { title: 'query', description: 'load test', logger });
  await app.listen(0, '127.0.0.1');
  return app;
};

const deleteKeys = async (prefix: string): Promise<void> => {
  const redis = new Redis(testEnv.redisUrl());
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
};

export const startLocalStack = async (label: string): Promise<LocalStack> => {
  const ingest = await startIngest(label);
  const redisPrefix = `${ingest.topicPrefix}rm`;
  const unavailable: string[] = [];
  const projector = await startProjector(ingest, label, redisPrefix).catch((error: unknown) => {
    unavailable.push(reason('projector', error));
    return undefined;
  });
  const query = await startQuery(ingest, redisPrefix).catch((error: unknown) => {
    unavailable.push(reason('query-api', error));
    return undefined;
  });
  return {
    ingest,
    moderatorToken: MODERATOR_TOKEN,
    queryUrl: query === undefined ? undefined : urlOf(query),
    projector,
    topicPrefix: ingest.topicPrefix,
    databaseUrl: ingest.database.url,
    redisProjectionPrefix: redisPrefix,
    unavailable,
    close: async () => {
      await query?.close();
      await projector?.close();
      await ingest.close();
      await deleteKeys(ingest.topicPrefix);
    },
  };
};
