import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { createHttpApp, httpSecurityOf } from '@app/http';
import { JsonLogger } from '@app/observability';
import { createKafka, deleteTopics, ensureTopics } from '@app/kafka';
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
 * What `startIngest` does, with options for tests that need more:
 * - `createTopics: false`: boot against a broker that is not there (ensureTopics would fail first);
 * - `topicPrefix` + `database`: a second ingest on the SAME topics, Redis prefix and database as a
 *   first one (restart with an empty memory). Resources passed in are not deleted by `close()`;
 *   resources created here are, unless `keepResources` is set.
 */
export interface VariantOptions {
  readonly label: string;
  /** Reuse these topics and this Redis prefix (default: a fresh unique prefix). */
  readonly topicPrefix?: string;
  /** Reuse this database (default: a fresh clone of the template). */
  readonly database?: TestDatabase;
  /** Create the topics on the REAL broker before booting (default true). */
  readonly createTopics?: boolean;
  /** Keep topics and database on close, for a later ingest on the same resources. */
  readonly keepResources?: boolean;
  readonly overrides?: Record<string, string>;
}

export const startIngestVariant = async (options: VariantOptions): Promise<IngestHarness> => {
  const topicPrefix = options.topicPrefix ?? uniquePrefix(options.label);
  const realBrokers = testEnv.kafkaBrokers();
  const admin = createKafka({ brokers: realBrokers, clientId: `harness-variant-${options.label}`, logLevel: 'nothing' });
  if (options.createTopics ?? true) await ensureTopics(admin, topicPrefix);
  const database = options.database ?? (await createTestDatabase(options.label));
  const ownsTopics = options.topicPrefix === undefined && !options.keepResources;
  const ownsDatabase = options.database === undefined && !options.keepResources;
  const config = loadConfig(IngestConfig, {
    KAFKA_BROKERS: realBrokers.join(','),
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
    // Load shedding judges this process's latency, which a loaded CI machine inflates: tests of
    // other features would get 503 overloaded at random. The shedding tests turn it on.
    SHED_ENABLED: 'false',
    ...options.overrides,
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
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    topicPrefix,
    config,
    app,
    database,
    logs,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      if (ownsTopics) await deleteTopics(admin, topicPrefix).catch(() => undefined);
      if (ownsDatabase) await database.drop().catch(() => undefined);
    },
  };
};

/**
 * Boots a real ingest-api in the test process on a random port, against the real broker (own
 * topics under a unique prefix), its own Postgres database cloned from the migrated template,
 * and its own Redis key prefix; resolves once its write model caught up with the log (commands
 * get 503 until then).
 */
export const startIngest = async (label: string, overrides: Record<string, string> = {}): Promise<IngestHarness> => {
  const ingest = await startIngestVariant({ label, overrides });
  await eventually(async () => {
    if ((await fetch(`${ingest.url}/health/ready`)).status !== 200) throw new Error(`${label}: ingest not ready`);
  }, { timeoutMs: 30_000 });
  return ingest;
};
