import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { migrate } from '@app/postgres';
import { AppName, AppProcess } from './apps';
import { ChaosKafka, PrivatePostgres, PrivateRedis } from './services';

export const CHAOS_TOKEN_SECRET = 'chaos-token-secret-0123456789-0123456789';
export const CHAOS_MODERATOR_TOKEN = 'chaos-moderator-token-0123456789';

/**
 * The system under test of a chaos run: the three apps as processes on Kafka (one proxied broker,
 * or three nodes), a private Postgres and a private Redis, all of this run only.
 */
export class ChaosStack {
  private constructor(
    readonly kafka: ChaosKafka,
    readonly postgres: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly topicPrefix: string,
    readonly redisProjectionPrefix: string,
    readonly apps: Readonly<Record<AppName, AppProcess>>,
  ) {}

  /** Creates the topics, migrates the database (idempotent) and starts the three apps. */
  static async start(options: { kafka: ChaosKafka; postgres: PrivatePostgres; redis: PrivateRedis; distDir: string; logDir: string; say: (line: string) => void }): Promise<ChaosStack> {
    const id = randomBytes(3).toString('hex');
    const topicPrefix = `chaos-${options.kafka.kind}-${id}.`;
    const redisPrefix = `chaos:${id}:`;
    const redisProjectionPrefix = `chaos:${id}:rm`;
    await options.kafka.createTopics(topicPrefix);
    await migrate(options.postgres.url);
    const env: Record<string, string> = {
      KAFKA_BROKERS: options.kafka.brokers.join(','),
      TOPIC_PREFIX: topicPrefix,
      DATABASE_URL: options.postgres.url,
      PG_POOL_SIZE: '4',
      REDIS_URL: options.redis.url,
      REDIS_PREFIX: redisPrefix,
      REDIS_PROJECTION_PREFIX: redisProjectionPrefix,
      TOKEN_SECRET: CHAOS_TOKEN_SECRET,
      MODERATOR_TOKENS: `chaos:${CHAOS_MODERATOR_TOKEN}`,
      PROJECTOR_GROUP_ID: `projector-chaos-${id}`,
      LOG_LEVEL: 'warn',
      // Every request of the load comes from this machine: per-address write limits would refuse
      // most registrations (ignored by builds without them).
      RATE_LIMIT_EXEMPT: '127.0.0.1,::1,::ffff:127.0.0.1',
      // The cases judge durability, not load shedding: shed registrations (a slow or restarting
      // broker trips its signal) would leave the votes phase without voters. CHAOS_APP_ENV may set it.
      SHED_ENABLED: 'false',
      ...chaosAppEnv(),
    };
    const apps = {
      projector: await AppProcess.create('projector', options.distDir, env, options.logDir),
      query: await AppProcess.create('query', options.distDir, env, options.logDir),
      ingest: await AppProcess.create('ingest', options.distDir, env, options.logDir),
    };
    const stack = new ChaosStack(options.kafka, options.postgres, options.redis, topicPrefix, redisProjectionPrefix, apps);
    for (const app of Object.values(apps)) {
      const ms = await app.start();
      options.say(`${app.name} ready on ${app.url} in ${(ms / 1000).toFixed(1)} s (pid ${app.pid})`);
    }
    return stack;
  }

  /** Any app that is not running is started again (a case that failed half-way). */
  async heal(say: (line: string) => void): Promise<void> {
    for (const app of Object.values(this.apps)) {
      if (!app.alive) {
        const ms = await app.start();
        say(`${app.name} was not running: restarted in ${(ms / 1000).toFixed(1)} s`);
      }
    }
  }

  async stopApps(): Promise<void> {
    await Promise.all(Object.values(this.apps).map((app) => app.close()));
  }
}

/**
 * Variables passed through to the apps from this process's environment when set: limits other
 * features add for one client address (every request of the load comes from 127.0.0.1) can be
 * raised for a chaos run this way, e.g. `CHAOS_APP_ENV='RATE_LIMIT_PER_IP=0' npm run chaos`.
 */
export const chaosAppEnv = (): Record<string, string> => {
  const raw = process.env.CHAOS_APP_ENV ?? '';
  return Object.fromEntries(
    raw
      .split(/[\s,]+/)
      .filter((pair) => pair.includes('='))
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
};

export const logDirOf = (runDir: string, label: string): string => join(runDir, label);
