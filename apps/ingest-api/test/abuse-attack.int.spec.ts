import Redis from 'ioredis';
import { Pool } from 'pg';
import { TOPIC_NAMES, physicalTopic } from '@app/events';
import { createKafka } from '@app/kafka';
import { testEnv, tolerateTermination } from '@app/testing';
import { PostgresProjection } from '../../projector/src/projection/postgres-projection';
import { PositionedEvent } from '../../projector/src/projection/projection-batch';
import { recount } from '../../projector/src/projection/recount';
import { RedisProjection } from '../../projector/src/projection/redis-projection';
import { postgresSnapshot, redisSnapshot } from '../../projector/src/projection/testing/projection-test-kit';
import { scanForAbuse } from '../../projector/src/abuse-scan/abuse-scan';
import { DEFAULT_DETECTION } from '../../projector/src/abuse-scan/detection-rules';
import { readTopics } from '../../projector/test/support';
import { QueryHarness, ReadSide, startQuery } from '../../query-api/test/query-harness';
import { Answer, call } from './http-client';
import { IngestHarness, MODERATOR_TOKEN, startIngest } from './ingest-harness';
import { Registered, expectProblem, moderate, register, schedule, submit } from './test-support';

/**
 * The scripted attack of issue 7, end to end on the real services: many registrations from one
 * address range and coordinated identical votes through the ingest, the abuse scan flags them,
 * a moderator disqualifies them, and the results are those of the honest participants alone,
 * with tallies equal to a recount of the log with the disqualifications applied.
 */
describe('scripted attack: flagged, disqualified, no trace in results', () => {
  const SLUG = 'grande-cause-abuse';
  const BOTS = 30;
  let ingest: IngestHarness;
  let query: QueryHarness;
  let pool: Pool;
  let redis: Redis;
  let side: ReadSide;
  let project: () => Promise<PositionedEvent[]>;

  beforeAll(async () => {
    ingest = await startIngest('abuse', {
      RATE_LIMIT_PARTICIPANT: 'off',
      RATE_LIMIT_ADDRESS: 'off',
      RATE_LIMIT_REGISTRATION: 'off',
      NETWORK_ID_SECRET: 'abuse-test-network-secret-0123456789abcdef',
    });
    // One database, as in production: the ingest's flags and keys next to the projector's read models.
    pool = new Pool({ connectionString: ingest.database.url, max: 4 });
    tolerateTermination(pool);
    redis = new Redis(testEnv.redisUrl());
    const redisProjectionPrefix = `${ingest.topicPrefix}rm`;
    const postgres = new PostgresProjection({ pool });
    const redisProjection = new RedisProjection({ redis, prefix: redisProjectionPrefix });
    const kafka = createKafka({ brokers: testEnv.kafkaBrokers(), clientId: 'abuse-attack-test', logLevel: 'nothing' });
    project = async () => {
      const records = await readTopics(kafka, TOPIC_NAMES.map((name) => physicalTopic(ingest.topicPrefix, name)));
      for (let i = 0; i < records.length; i += 200) {
        const batch = { events: records.slice(i, i + 200), positions: [] };
        await postgres.apply(batch);
        await redisProjection.apply(batch);
      }
      return records;
    };
    side = {
      database: ingest.database,
      pool,
      redis,
      topicPrefix: ingest.topicPrefix,
      redisProjectionPrefix,
      project: async () => undefined,
      close: async () => undefined,
    };
    query = await startQuery(side);
  });

  afterAll(async () => {
    await query?.close();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${ingest.topicPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis?.disconnect();
    await pool?.end();
    await ingest?.close();
  });

  const vote = async (token: string, proposalId: string, value: string, qualifications: string[]): Promise<void> => {
    const answer = await call(ingest.url, 'PUT', `/v1/proposals/${proposalId}/vote`, { token, body: { value, qualifications } });
    if (answer.status !== 202) throw new Error(`vote: ${answer.status} ${JSON.stringify(answer.body)}`);
  };
  const moderator = (method: string, path: string, body?: unknown, key?: string): Promise<Answer> =>
    call(ingest.url, method, path, { token: MODERATOR_TOKEN, body, headers: key ? { 'idempotency-key': key } : {} });
  /** Results and stats without their log positions (which move with every event). */
  const publicFigures = async () => {
    const results = await call(query.url, 'GET', `/v1/consultations/${SLUG}/results`);
    const stats = await call(query.url, 'GET', `/v1/consultations/${SLUG}/stats`);
    expect([results.status, stats.status]).toEqual([200, 200]);
    const { asOf: _r, ...resultsBody } = results.body;
    const { asOf: _s, ...statsBody } = stats.body;
    return { results: resultsBody, stats: statsBody };
  };
  const expectRecount = async (records: readonly PositionedEvent[]) => {
    const expected = recount(records);
    const want = { tallies: expected.tallies, counters: expected.counters };
    expect(await postgresSnapshot(pool)).toEqual(want);
    expect(await redisSnapshot(redis, side.redisProjectionPrefix)).toEqual(want);
    return expected;
  };

  it('flags the scripted participants, and after their disqualification the results equal those of the honest participants alone', async () => {
    await schedule(ingest.url, SLUG);
    const author = await register(ingest.url, { communeCode: '01004' });
    const proposals: string[] = [];
    for (let i = 0; i < 8; i++) proposals.push(await submit(ingest.url, SLUG, author.token, `Il faut améliorer le service numéro ${i} du territoire`));
    for (const id of proposals) await moderate(ingest.url, id, 'accept');
    const honest: Registered[] = [];
    for (const commune of ['01004', '69123', '75101', '13055']) honest.push(await register(ingest.url, { communeCode: commune }));
    for (const [i, person] of honest.entries()) {
      for (const [j, id] of proposals.entries()) {
        if ((i + j) % 3 === 0) continue;
        await vote(person.token, id, (i + j) % 2 === 0 ? 'agree' : 'disagree', (i + j) % 2 === 0 ? ['doable'] : ['noWay']);
      }
    }
    await project();
    const honestOnly = await publicFigures();

    // The attack: a burst of registrations from one address range (all from 127.0.0.1 here), each
    // casting the same votes on every proposal, large-city tier to swing it.
    const bots: Registered[] = [];
    for (let i = 0; i < BOTS; i++) bots.push(await register(ingest.url, { communeCode: '75056' }));
    for (const bot of bots) for (const id of proposals) await vote(bot.token, id, 'agree', ['likeIt', 'platitudeAgree']);
    let records = await project();
    expect(records.filter((r) => r.event.type === 'ParticipantRegistered').every((r) => r.event.type === 'ParticipantRegistered' && r.event.data.networkId)).toBe(true);
    expect(JSON.stringify(records.map((r) => r.event))).not.toContain('127.0.0.1');
    await expectRecount(records);
    const attacked = await publicFigures();
    expect(attacked.stats).not.toEqual(honestOnly.stats);
    expect(attacked.results).not.toEqual(honestOnly.results);

    const report = await scanForAbuse(pool, 'readmodel', { ...DEFAULT_DETECTION, identicalMinVotes: 8, identicalMinParticipants: 5, rateMaxVotes: 10_000 });
    expect(report.flagged['identical-votes']).toBe(BOTS);
    expect(report.flagged['registration-burst']).toBeGreaterThanOrEqual(BOTS);
    const listed = await moderator('GET', '/v1/moderation/flags?rule=identical-votes&limit=100');
    expect(listed.status).toBe(200);
    const flags = listed.body.items as { flagId: string; participantId: string; groupKey: string; disqualified: boolean | null }[];
    expect(new Set(flags.map((f) => f.participantId))).toEqual(new Set(bots.map((b) => b.participantId)));
    expect(new Set(flags.map((f) => f.groupKey)).size).toBe(1);
    expect((await call(ingest.url, 'GET', '/v1/moderation/flags', { token: bots[0].token })).status).toBe(403);
    expectProblem(await moderator('GET', '/v1/moderation/flags?status=maybe'), 422, 'validation-failed', ['/query/status']);
    expectProblem(await moderator('GET', '/v1/moderation/flags?cursor=bm9wZQ'), 400, 'bad-cursor');

    // Disqualify every participant of the flagged group (idempotent like every ingest write).
    expectProblem(await moderator('POST', `/v1/moderation/participants/${bots[0].participantId}/disqualify`, {}), 422, 'validation-failed', ['/reason']);
    expectProblem(await moderator('POST', '/v1/moderation/participants/nope/disqualify', { reason: 'x' }), 404, 'not-found');
    for (const flag of flags) {
      const body = { reason: 'Inscriptions en rafale et votes identiques', flagIds: [flag.flagId] };
      const first = await moderator('POST', `/v1/moderation/participants/${flag.participantId}/disqualify`, body, `dq-${flag.participantId}`);
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ participantId: flag.participantId, standing: 'disqualified' });
      const again = await moderator('POST', `/v1/moderation/participants/${flag.participantId}/disqualify`, body, `dq-${flag.participantId}`);
      expect(again.body).toEqual(first.body);
    }
    // Not tipped off: a disqualified participant's vote is still accepted (and tracked, not counted).
    await vote(bots[0].token, proposals[0], 'disagree', ['impossible']);
    records = await project();
    expect(records.filter((r) => r.event.type === 'ParticipantDisqualified')).toHaveLength(BOTS);

    const expected = await expectRecount(records);
    expect(await publicFigures()).toEqual(honestOnly);
    for (const id of proposals) {
      const detail = await call(query.url, 'GET', `/v1/proposals/${id}`);
      expect((detail.body.byTier as Record<string, { total: number }>).large.total).toBe(
        honest.filter((h, i) => h.tier === 'large' && (i + proposals.indexOf(id)) % 3 !== 0).length,
      );
    }
    const theirVotes = await call(query.url, 'GET', '/v1/participants/me/votes?limit=100', { token: bots[0].token });
    expect((theirVotes.body.items as unknown[]).length).toBe(proposals.length);
    const excluded = await pool.query(`SELECT sum(excluded_current_votes)::int AS n FROM analytics.excluded_votes WHERE consultation = $1`, [SLUG]);
    expect(excluded.rows[0].n).toBe(BOTS * proposals.length);
    const reviewed = await moderator('GET', '/v1/moderation/flags?status=actioned&rule=identical-votes&limit=100');
    expect((reviewed.body.items as { disqualified: boolean }[]).every((f) => f.disqualified)).toBe(true);

    // A false positive: requalified, their current vote (the one changed meanwhile) counts again.
    const back = await moderator('POST', `/v1/moderation/participants/${bots[0].participantId}/requalify`, { reason: 'Faux positif' });
    expect(back.status).toBe(202);
    records = await project();
    const requalified = await expectRecount(records);
    expect(requalified.tallies[proposals[0]].large.impossible).toBe((expected.tallies[proposals[0]]?.large?.impossible ?? 0) + 1);
    expect((await publicFigures()).stats).not.toEqual(honestOnly.stats);
  });
});
