import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { createHttpApp, httpSecurityOf } from '@app/http';
import { JsonLogger } from '@app/observability';
import { createKafka, ensureTopics, deleteTopics } from '@app/kafka';
import { createTestDatabase, eventually, TestDatabase, testEnv, uniquePrefix } from '@app/testing';
import { IngestConfig } from '../src/ingest.config';
import { IngestModule } from '../src/ingest.module';

export const MODERATOR_TOKEN = 'test-moderator-token-0123456789';
export const TOKEN_SECRET = 'test-token-secret-0123456789-0123456789';

export interface IngestHarness {
  readonly url: string;
  readonly topicPrefix: string;
  readonly config: IngestConfig;
  readonly app: NestFastifyApplication;
  readonly database: TestDatabase;
  /** Log lines the app wrote (JSON), for tests that inspect logs. */
  readonly logs: string[];
  close(): Promise<void>;
}

/**
 * Boots a real ingest-api in the test process on a random port, against the real broker (own
 * topics under a unique prefix), its own Postgres database cloned from the migrated template,
 * and its own Redis key prefix.
 */
export const startIngest = async (label: string, overrides: Record<string, string> = {}): Promise<IngestHarness> => {
  const topicPrefix = uniquePrefix(label);
  const brokers = testEnv.kafkaBrokers();
  const kafka = createKafka({ brokers, clientId: `harness-${label}`, logLevel: 'nothing' });
  await ensureTopics(kafka, topicPrefix);
  const database = await createTestDatabase(label);
  const config = loadConfig(IngestConfig, {
    KAFKA_BROKERS: brokers.join(','),
    TOPIC_PREFIX: topicPrefix,
    DATABASE_URL: database.url,
    REDIS_URL: testEnv.redisUrl(),
    REDIS_PREFIX: topicPrefix,
    TOKEN_SECRET,
    MODERATOR_TOKENS: `tester:${MODERATOR_TOKEN}`,
    PORT: '0',
    LOG_LEVEL: 'warn',
    // Every test client is 127.0.0.1: write limits would throttle the suites; abuse-limits tests override this.
    RATE_LIMIT_EXEMPT: '127.0.0.1,::1',
    ...overrides,
  });
  const logs: string[] = [];
  const logger = new JsonLogger('ingest-api', config.LOG_LEVEL, (line) => logs.push(line));
  const app = await createHttpApp(IngestModule.forRoot(config, logger), {
    title: 'ingest',
    description: 'test',
    logger,
    security: httpSecurityOf(config, 'no-store'),
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  // Commands get 503 until the write model caught up with the log: start tests once it has.
  await eventually(async () => {
    if ((await fetch(`${url}/health/ready`)).status !== 200) throw new Error(`${label}: ingest not ready`);
  }, { timeoutMs: 30_000 });
  return {
    url,
    topicPrefix,
    config,
    app,
    database,
    logs,
    close: async () => {
      await app.close();
      await deleteTopics(kafka, topicPrefix).catch(() => undefined);
      await database.drop();
    },
  };
};
