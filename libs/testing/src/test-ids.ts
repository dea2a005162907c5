import { randomBytes } from 'node:crypto';

/** A prefix unique to one test file: topics and Redis keys under it belong to that file only. */
export const uniquePrefix = (label: string): string => `t-${label}-${randomBytes(4).toString('hex')}.`;

export const testEnv = {
  kafkaBrokers: (): string[] => (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  redisUrl: (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};
