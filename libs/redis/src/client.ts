import Redis, { RedisOptions } from 'ioredis';
import { ReadinessCheck } from '@app/observability';

/**
 * ioredis with a bounded offline queue: when Redis is down, commands fail fast instead of
 * piling up in memory, and reconnection retries in the background. `extra` adds options for one
 * client (e.g. the ingest's enableAutoPipelining: commands issued by concurrent requests in the
 * same event-loop turn leave in one write, in the same order, with the same answers).
 */
export const createRedis = (url: string, name: string, extra: Pick<RedisOptions, 'enableAutoPipelining'> = {}): Redis =>
  new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: true,
    ...extra,
  });

export const redisReadiness = (redis: Redis): ReadinessCheck => ({
  name: 'redis',
  check: async () => {
    if ((await redis.ping()) !== 'PONG') throw new Error('Redis did not answer PONG');
  },
});
