import { TIERS } from '@app/events';
import Redis from 'ioredis';
import { TALLY_FIELDS, Tallies, addTo } from './tallies';

/**
 * The Redis projection, read directly: the hash `<prefix>:t:<proposal>` holds
 * `<tier|all>:<field>` → count (apps/projector/src/projection/redis-apply-script.ts). It is a
 * second projection with its own offsets (DESIGN.md invariant 2), so it is checked on its own and
 * not only through whatever the query API chooses to read.
 */
export const readRedisTallies = async (redisUrl: string, prefix: string, proposalIds: readonly string[]): Promise<Tallies> => {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    const tallies: Tallies = {};
    for (let i = 0; i < proposalIds.length; i += 500) {
      const chunk = proposalIds.slice(i, i + 500);
      const pipeline = redis.pipeline();
      for (const id of chunk) pipeline.hgetall(`${prefix}:t:${id}`);
      const answers = (await pipeline.exec()) ?? [];
      answers.forEach(([error, hash], j) => {
        if (error) throw error;
        const fields = hash as Record<string, string>;
        for (const tier of TIERS) for (const field of TALLY_FIELDS) addTo(tallies, chunk[j], tier, field, Number(fields[`${tier}:${field}`] ?? 0));
      });
    }
    return tallies;
  } finally {
    redis.disconnect();
  }
};
