import { randomBytes } from 'node:crypto';
import { testEnv } from '@app/testing';
import Redis from 'ioredis';
import { CheckpointLostError } from './checkpoint-lost';
import { recount } from './recount';
import { RedisProjection } from './redis-projection';
import { EventLog, idFrom } from './testing/event-scenario';
import { batchOf, deleteRedisKeys, redisSnapshot } from './testing/projection-test-kit';

/**
 * Redis loses the projection's keys (FLUSHALL, eviction, failover to an empty replica) while the
 * projector runs: the next batch must not be counted on the empty state (the history would be
 * lost for good, since the batch would also write a checkpoint past it). It is refused untouched,
 * and a replay from the stored position (0) rebuilds the tallies exact (load-tests/chaos,
 * case redis-flush, does it with the real processes).
 */
describe('RedisProjection after its keys were lost', () => {
  let redis: Redis;
  let prefix: string;

  beforeAll(() => {
    redis = new Redis(testEnv.redisUrl());
  });
  afterAll(() => redis.disconnect());
  beforeEach(() => {
    prefix = `t-lost-${randomBytes(4).toString('hex')}`;
  });
  afterEach(async () => deleteRedisKeys(redis, prefix));

  it('refuses the next batch of a partition whose checkpoint vanished, writes nothing, and is exact after a replay from 0', async () => {
    const log = new EventLog();
    const proposal = idFrom('proposal');
    log.submit(proposal, 'cgt', idFrom('author'), 'large');
    log.moderate(proposal, 'cgt', 'accept');
    const voters = Array.from({ length: 6 }, (_, i) => idFrom(`voter-${i}`));
    voters.forEach((voter) => log.cast(voter, proposal, 'cgt', 'rural', 'agree', ['likeIt']));
    const before = log.records.length;
    // After the loss: changes of mind, which an empty state would count as new votes.
    voters.slice(0, 3).forEach((voter) => log.cast(voter, proposal, 'cgt', 'rural', 'disagree', []));
    const projection = new RedisProjection({ redis, prefix });

    await projection.apply(batchOf(log.records.slice(0, before)));
    await deleteRedisKeys(redis, prefix);
    const error = await projection.apply(batchOf(log.records.slice(before))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointLostError);
    expect((error as CheckpointLostError).partitions.length).toBeGreaterThan(0);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);

    // What the runner does: read the checkpoint again (none: 0) and replay from there. Every
    // partition this instance had seen is refused once (the runner handles each partition's batch
    // that way), then applied.
    expect((await projection.nextOffsets([...new Set(log.records.map((r) => r.topic))])).size).toBe(0);
    let refusals = 0;
    for (;;) {
      const outcome = await projection.apply(batchOf(log.records)).catch((e: unknown) => e);
      if (!(outcome instanceof CheckpointLostError)) break;
      refusals += 1;
      expect(refusals).toBeLessThan(3);
    }
    const expected = recount(log.records);
    expect(await redisSnapshot(redis, prefix)).toEqual({ tallies: expected.tallies, counters: expected.counters });
  });

  it('applies batches normally on a store that was empty from the start', async () => {
    const log = new EventLog();
    const proposal = idFrom('proposal');
    log.submit(proposal, 'cgt', idFrom('author'), 'medium');
    log.moderate(proposal, 'cgt', 'accept');
    log.cast(idFrom('voter'), proposal, 'cgt', 'medium', 'neutral', []);
    const projection = new RedisProjection({ redis, prefix });
    expect((await projection.nextOffsets([...new Set(log.records.map((r) => r.topic))])).size).toBe(0);
    await projection.apply(batchOf(log.records.slice(0, 2)));
    await projection.apply(batchOf(log.records.slice(2)));
    const expected = recount(log.records);
    expect(await redisSnapshot(redis, prefix)).toEqual({ tallies: expected.tallies, counters: expected.counters });
  });
});
