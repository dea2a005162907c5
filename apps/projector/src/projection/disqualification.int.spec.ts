import { randomBytes } from 'node:crypto';
import { testEnv } from '@app/testing';
import Redis from 'ioredis';
import { PostgresProjection } from './postgres-projection';
import { PositionedEvent } from './projection-batch';
import { recount } from './recount';
import { RedisProjection } from './redis-projection';
import { EventLog, idFrom, randomBatches, randomScenario } from './testing/event-scenario';
import {
  OwnDatabase,
  batchOf,
  createOwnDatabase,
  deleteRedisKeys,
  negativePostgresCounts,
  postgresSnapshot,
  redisSnapshot,
} from './testing/projection-test-kit';

/**
 * Disqualification round trip (docs/abuse.md) on the real Postgres and Redis: a disqualified
 * participant's votes leave every tally and counter, votes they cast, change or retract meanwhile
 * are tracked, and requalification brings back exactly their current votes; both projections
 * equal the recount with the disqualifications applied after every step, and redelivering a batch
 * changes nothing.
 */
describe('disqualification in the Postgres and Redis projections', () => {
  let db: OwnDatabase;
  let redis: Redis;
  const prefix = `t-dq-${randomBytes(4).toString('hex')}`;
  let run = 0;

  beforeAll(async () => {
    db = await createOwnDatabase();
    // A logical database of its own: snapshots SCAN the keyspace, and database 0 may hold a load
    // test's million keys. The key prefix still isolates this file from any other user of it.
    redis = new Redis(testEnv.redisUrl(), { db: 11 });
  });

  afterAll(async () => {
    for (let i = 1; i <= run; i++) await deleteRedisKeys(redis, `${prefix}-${i}`);
    redis.disconnect();
    await db.drop();
  });

  const fresh = async () => {
    run++;
    await db.pool.query(`TRUNCATE readmodel.tallies, readmodel.consultation_counters, readmodel.consultation_participants,
      readmodel.current_votes, readmodel.proposals, readmodel.participants, readmodel.consultations,
      readmodel.participant_standing, readmodel.registration_networks`);
    const pg = new PostgresProjection({ pool: db.pool, projection: `pg-${run}` });
    const keys = `${prefix}-${run}`;
    const rd = new RedisProjection({ redis, prefix: keys });
    /** Applies the records, then delivers them again: the second delivery must change nothing. */
    const deliver = async (records: readonly PositionedEvent[]) => {
      await pg.apply(batchOf(records));
      await rd.apply(batchOf(records));
      const once = { pg: await postgresSnapshot(db.pool), redis: await redisSnapshot(redis, keys) };
      expect(await pg.apply(batchOf(records))).toEqual({ applied: 0, skipped: records.length });
      expect(await rd.apply(batchOf(records))).toEqual({ applied: 0, skipped: records.length });
      expect(await postgresSnapshot(db.pool)).toEqual(once.pg);
      expect(await redisSnapshot(redis, keys)).toEqual(once.redis);
    };
    const expectRecount = async (log: EventLog) => {
      const expected = recount(log.records);
      expect(await postgresSnapshot(db.pool)).toEqual({ tallies: expected.tallies, counters: expected.counters });
      expect(await redisSnapshot(redis, keys)).toEqual({ tallies: expected.tallies, counters: expected.counters });
      expect(await negativePostgresCounts(db.pool)).toBe(0);
      return expected;
    };
    return { deliver, expectRecount };
  };

  it('removes a disqualified participant’s votes and membership, tracks their votes meanwhile, and restores exactly their current votes on requalification', async () => {
    const { deliver, expectRecount } = await fresh();
    const log = new EventLog();
    const proposal = idFrom('dq', 'proposal', 1);
    const other = idFrom('dq', 'proposal', 2);
    const honest = idFrom('dq', 'honest');
    const bots = [0, 1, 2].map((i) => idFrom('dq', 'bot', i));
    log.schedule('cgt');
    log.register(honest, 'rural');
    bots.forEach((bot) => log.register(bot, 'large'));
    log.submit(proposal, 'cgt', honest, 'rural');
    log.submit(other, 'cgt', honest, 'rural');
    log.moderate(proposal, 'cgt', 'accept');
    log.moderate(other, 'cgt', 'accept');
    log.cast(honest, proposal, 'cgt', 'rural', 'disagree', ['noWay']);
    for (const bot of bots) log.cast(bot, proposal, 'cgt', 'large', 'agree', ['likeIt', 'doable']);
    await deliver(log.records);
    const before = await expectRecount(log);
    expect(before.tallies[proposal].large).toEqual({ total: 3, agree: 3, likeIt: 3, doable: 3 });

    let from = log.records.length;
    for (const bot of bots) log.standing(bot, 'disqualify');
    await deliver(log.records.slice(from));
    const excluded = await expectRecount(log);
    expect(excluded.tallies[proposal]).toEqual({ rural: { total: 1, disagree: 1, noWay: 1 } });
    expect(excluded.counters.cgt).toEqual({ rural: { participants: 1, proposalsSubmitted: 2, proposalsAccepted: 2, votes: 1 } });

    // While disqualified: a changed vote, a retraction, a new vote, a repeated disqualification.
    from = log.records.length;
    log.cast(bots[0], proposal, 'cgt', 'large', 'neutral', ['noOpinion']);
    log.retract(bots[1], proposal, 'cgt', 'large');
    log.cast(bots[2], other, 'cgt', 'large', 'agree', []);
    log.standing(bots[2], 'disqualify');
    await deliver(log.records.slice(from));
    expect((await expectRecount(log)).tallies).toEqual(excluded.tallies);

    from = log.records.length;
    for (const bot of bots) log.standing(bot, 'requalify');
    await deliver(log.records.slice(from));
    const back = await expectRecount(log);
    expect(back.tallies[proposal].large).toEqual({ total: 2, agree: 1, likeIt: 1, doable: 1, neutral: 1, noOpinion: 1 });
    expect(back.tallies[other]).toEqual({ large: { total: 1, agree: 1 } });
    expect(back.counters.cgt.large).toEqual({ participants: 3, votes: 3 });

    const standing = await db.pool.query(`SELECT count(*)::int AS n FROM readmodel.participant_standing WHERE NOT disqualified`);
    expect(standing.rows[0].n).toBe(3);
  });

  it('applies a disqualification with the votes around it, in one batch or topic by topic, like the recount', async () => {
    const { deliver, expectRecount } = await fresh();
    const log = new EventLog();
    const proposal = idFrom('dq1', 'proposal');
    const bot = idFrom('dq1', 'bot');
    log.schedule('cgt');
    log.register(bot, 'medium');
    log.submit(proposal, 'cgt', bot, 'medium');
    log.moderate(proposal, 'cgt', 'accept');
    log.cast(bot, proposal, 'cgt', 'medium', 'agree', []);
    log.standing(bot, 'disqualify');
    log.cast(bot, proposal, 'cgt', 'medium', 'disagree', ['impossible']);
    // Together in one batch, then (below) the votes before the participants topic: both are interleavings a consumer may see.
    await deliver(log.records);
    const expected = await expectRecount(log);
    expect(expected.tallies).toEqual({});
    expect(expected.counters.cgt.medium).toEqual({ proposalsSubmitted: 1, proposalsAccepted: 1 });

    const later = await fresh();
    await later.deliver(log.records.filter((r) => r.topic !== 'participants'));
    await later.deliver(log.records.filter((r) => r.topic === 'participants'));
    await later.expectRecount(log);
  });

  it.each([5, 17])(
    'equals the recount after random disqualifications and requalifications, every batch delivered twice (seed %i)',
    async (seed) => {
      const { deliver, expectRecount } = await fresh();
      const log = randomScenario(seed, { participants: 18, proposals: 6, voteEvents: 500, standingChangeRate: 0.05 });
      expect(log.records.some((r) => r.event.type === 'ParticipantRequalified')).toBe(true);
      for (const batch of randomBatches(log.records, seed, 60)) await deliver(batch);
      const expected = await expectRecount(log);
      expect(Object.keys(expected.tallies).length).toBeGreaterThan(2);
    },
    180_000,
  );
});
