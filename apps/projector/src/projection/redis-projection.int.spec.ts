import { randomBytes } from 'node:crypto';
import { testEnv } from '@app/testing';
import Redis from 'ioredis';
import { RedisProjection } from './redis-projection';
import { EventLog, idFrom } from './testing/event-scenario';
import { batchOf, deleteRedisKeys, redisSnapshot } from './testing/projection-test-kit';

describe('RedisProjection', () => {
  let redis: Redis;
  let prefix: string;
  let projection: RedisProjection;
  let log: EventLog;
  let applied: number;
  const voter = idFrom('voter');
  const proposal = idFrom('proposal');

  /** Applies the new records twice; the second delivery must change no key at all. */
  const step = async (): Promise<void> => {
    const batch = batchOf(log.records.slice(applied));
    await projection.apply(batch);
    const once = await dump();
    expect(await projection.apply(batch)).toEqual({ applied: 0, skipped: batch.events.length });
    expect(await dump()).toEqual(once);
    applied = log.records.length;
  };
  const dump = async (): Promise<Record<string, unknown>> => {
    const keys = (await redis.keys(`${prefix}:*`)).sort();
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const type = await redis.type(key);
      out[key] = type === 'hash' ? await redis.hgetall(key) : type === 'set' ? (await redis.smembers(key)).sort() : await redis.zrange(key, 0, -1, 'WITHSCORES');
    }
    return out;
  };
  const tally = async (tier: string): Promise<Record<string, number> | undefined> => (await redisSnapshot(redis, prefix)).tallies[proposal]?.[tier];

  beforeAll(() => {
    redis = new Redis(testEnv.redisUrl());
  });
  afterAll(() => redis.disconnect());
  beforeEach(() => {
    prefix = `t-${randomBytes(4).toString('hex')}`;
    projection = new RedisProjection({ redis, prefix });
    log = new EventLog();
    applied = 0;
  });
  afterEach(async () => deleteRedisKeys(redis, prefix));

  it('moves a changed vote and its qualifications, removes a retracted one, and ignores the same vote again', async () => {
    log.submit(proposal, 'cgt', idFrom('author'), 'large');
    log.moderate(proposal, 'cgt', 'accept');
    log.cast(voter, proposal, 'cgt', 'rural', 'agree', ['likeIt', 'doable']);
    await step();
    expect(await tally('rural')).toEqual({ total: 1, agree: 1, likeIt: 1, doable: 1 });
    expect(await redis.smembers(`${prefix}:a:cgt`)).toEqual([proposal]);

    log.cast(voter, proposal, 'cgt', 'rural', 'agree', ['likeIt', 'doable']);
    log.cast(voter, proposal, 'cgt', 'rural', 'disagree', ['noWay']);
    await step();
    expect(await tally('rural')).toEqual({ total: 1, disagree: 1, noWay: 1 });

    log.retract(voter, proposal, 'cgt', 'rural');
    log.retract(voter, proposal, 'cgt', 'rural');
    log.moderate(proposal, 'cgt', 'refuse');
    await step();
    expect(await tally('rural')).toBeUndefined();
    expect(await redis.smembers(`${prefix}:a:cgt`)).toEqual([]);
    expect((await redisSnapshot(redis, prefix)).counters.cgt).toEqual({
      rural: { participants: 1 },
      large: { participants: 1, proposalsSubmitted: 1, proposalsRefused: 1 },
    });
  });

  it('drops a retry carrying an event id already applied to the pair, even after later events', async () => {
    const first = log.cast(voter, proposal, 'cgt', 'medium', 'agree', []);
    for (let i = 0; i < 5; i++) log.cast(voter, proposal, 'cgt', 'medium', i % 2 ? 'agree' : 'neutral', []);
    log.retract(voter, proposal, 'cgt', 'medium');
    log.append(first);
    await step();
    expect(await tally('medium')).toBeUndefined();
  });

  it('refuses a batch that would drive a counter negative and writes nothing, not even its offsets', async () => {
    log.cast(voter, proposal, 'cgt', 'large', 'agree', []);
    await step();
    await redis.hset(`${prefix}:t:${proposal}`, 'large:agree', '0'); // a corrupted tally
    const before = await dump();
    log.retract(voter, proposal, 'cgt', 'large');
    await expect(projection.apply(batchOf(log.records.slice(applied)))).rejects.toThrow(/NEGATIVE/);
    expect(await dump()).toEqual(before);
  });
});
