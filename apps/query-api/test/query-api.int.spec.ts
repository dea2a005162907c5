import { TIERS, Tier } from '@app/events';
import { call } from '../../ingest-api/test/http-client';
import { computePopulationShares } from '../src/results/population-shares';
import { GC_THRESHOLDS, Scenario, buildScenario } from './grande-cause-scenario';
import { MODERATOR_TOKEN, QueryHarness, ReadSide, createReadSide, startQuery } from './query-harness';

// Answers are JSON checked field by field below; `any` keeps the assertions readable.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Every endpoint of API.md's query section on real Postgres and Redis, against figures worked
 * out by hand from the events of grande-cause-scenario.ts (projected by the projector's own
 * Postgres and Redis projections). Shares of the population: s_r, s_m, s_l from the INSEE data.
 * One file on purpose: every block reads the same scenario, projected once.
 */
describe('query-api over projected read models', () => {
  let side: ReadSide;
  let query: QueryHarness;
  let scenario: Scenario;
  const shares = computePopulationShares();
  const id = (name: string): string => scenario.proposals[name];
  const token = (name: string): string => query.tokenFor(scenario.people[name].id, scenario.people[name].tier);

  beforeAll(async () => {
    side = await createReadSide('query');
    scenario = buildScenario(side.topicPrefix);
    for (const [participant, key] of scenario.keys) {
      await side.pool.query('INSERT INTO keystore.participant_keys (participant_id, key) VALUES ($1, $2)', [participant, key]);
    }
    await side.project(scenario.log.records, 7);
    query = await startQuery(side, { SEQUENCE_EXPLORATION: '0' });
  });
  afterAll(async () => {
    await query?.close();
    await side?.close();
  });

  /** Next offset per partition of every record, as API.md's asOf (prefix stripped). */
  const expectedPositions = (): Json => {
    const positions: Json = {};
    for (const r of scenario.log.records) {
      const topic = r.topic.slice(side.topicPrefix.length);
      positions[topic] ??= {};
      const next = String(Number(r.offset) + 1);
      if (Number(positions[topic][r.partition] ?? 0) < Number(next)) positions[topic][r.partition] = next;
    }
    return positions;
  };

  const tally = (counts: Partial<Json>, qualifications: Partial<Json> = {}) => {
    const t = { total: 0, agree: 0, disagree: 0, neutral: 0, ...counts };
    return {
      ...t,
      qualifications: {
        likeIt: 0, doable: 0, platitudeAgree: 0, noWay: 0, impossible: 0, platitudeDisagree: 0,
        doNotUnderstand: 0, noOpinion: 0, doNotCare: 0, ...qualifications,
      },
    };
  };

  describe('stats', () => {
    // participants: rural A, D, R1–R6 = 8; medium B, M4, M1–M3 = 5 (M3 voted, then retracted:
    // still took part); large C, L1–L3 = 4. Proposals by author tier: rural P1, P4, P5 (P5
    // refused, P4 pending); medium P2, P7; large P3, P6. Current votes, any status: rural
    // P1 3 + P2 3 + P5 1 + P6 1 + P7 1 = 9; medium P1 2 + P2 2 = 4; large P1 3 + P2 1 + P6 1 + P7 1 = 6.
    const expected = {
      participants: 17,
      proposals: { submitted: 7, accepted: 5, refused: 1 },
      votes: 19,
      byTier: {
        rural: { participants: 8, proposals: { submitted: 3, accepted: 1, refused: 1 }, votes: 9 },
        medium: { participants: 5, proposals: { submitted: 2, accepted: 2, refused: 0 }, votes: 4 },
        large: { participants: 4, proposals: { submitted: 2, accepted: 2, refused: 0 }, votes: 6 },
      },
    };

    it('counts participants, proposals and current votes per tier from Redis, cacheable for a second', async () => {
      const answer = await call<Json>(query.url, 'GET', '/v1/consultations/gc/stats');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('public, max-age=1');
      expect(answer.headers.get('x-read-source')).toBe('redis');
      const { asOf, ...figures } = answer.body;
      expect(figures).toEqual(expected);
      expect(asOf.positions).toEqual(expectedPositions());
      expect(Date.parse(asOf.at)).toBeGreaterThan(Date.now() - 60_000);
    });

    it('answers zeros for a consultation without activity and 404 for an unknown one', async () => {
      const empty = await call<Json>(query.url, 'GET', '/v1/consultations/vide/stats');
      expect(empty.body.participants).toBe(0);
      expect(empty.body.byTier.large).toEqual({ participants: 0, proposals: { submitted: 0, accepted: 0, refused: 0 }, votes: 0 });
      const unknown = await call<Json>(query.url, 'GET', '/v1/consultations/nope/stats');
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toContain('application/problem+json');
      expect(unknown.body.type).toBe('consultation-not-found');
    });

    it('gives the same figures and positions from Postgres when the Redis projection is missing', async () => {
      const fallback = await startQuery(side, { REDIS_PROJECTION_PREFIX: `${side.topicPrefix}absent` });
      try {
        const answer = await call<Json>(fallback.url, 'GET', '/v1/consultations/gc/stats');
        expect(answer.headers.get('x-read-source')).toBe('postgres');
        const { asOf, ...figures } = answer.body;
        expect(figures).toEqual(expected);
        expect(asOf.positions).toEqual(expectedPositions());
      } finally {
        await fallback.close();
      }
    });

    it('follows the pointer key to the live Redis projection after a rebuild switched it', async () => {
      const pointer = `${side.topicPrefix}projection-live`;
      await side.redis.set(pointer, side.redisProjectionPrefix);
      const switched = await startQuery(side, { REDIS_PROJECTION_PREFIX: `${side.topicPrefix}old`, REDIS_PROJECTION_POINTER: pointer });
      try {
        const answer = await call<Json>(switched.url, 'GET', '/v1/consultations/gc/stats');
        expect(answer.headers.get('x-read-source')).toBe('redis');
        expect(answer.body.votes).toBe(19);
      } finally {
        await switched.close();
      }
    });
  });

  describe('proposal detail', () => {
    it('shows overall and per-tier tallies with adhesion, engagement and score', async () => {
      const answer = await call<Json>(query.url, 'GET', `/v1/proposals/${id('P1')}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('public, max-age=1');
      expect(answer.headers.get('x-read-source')).toBe('redis');
      // 8 votes: 7 agree (likeIt 4, doable 2), 1 disagree (noWay): adhesion 7/8, engagement (4 + 2 − 1)/8.
      expect(answer.body).toMatchObject({
        proposalId: id('P1'),
        consultation: 'gc',
        text: 'Il faut des médecins dans chaque canton',
        author: { firstName: 'Léa', ageRange: '25-34', tier: 'rural' },
        status: 'accepted',
        votes: { ...tally({ total: 8, agree: 7, disagree: 1 }, { likeIt: 4, doable: 2, noWay: 1 }), adhesion: 0.875, engagement: 0.625, score: 1.5 },
        byTier: {
          rural: { ...tally({ total: 3, agree: 3 }, { likeIt: 2, doable: 1 }), adhesion: 1, engagement: 1, score: 2 },
          medium: { ...tally({ total: 2, agree: 2 }, { likeIt: 1, doable: 1 }), adhesion: 1, engagement: 1, score: 2 },
          large: { ...tally({ total: 3, agree: 2, disagree: 1 }, { likeIt: 1, noWay: 1 }), adhesion: 2 / 3, engagement: 0, score: 2 / 3 },
        },
      });
      expect(answer.body.asOf.positions).toEqual(expectedPositions());
    });

    it('keeps the last value of a changed vote and drops a retracted one; null figures without votes', async () => {
      // P6: R4 agree → disagree [impossible]; M3 agree then retracted; L1 agree [platitudeAgree].
      const p6 = await call<Json>(query.url, 'GET', `/v1/proposals/${id('P6')}`);
      expect(p6.body.votes).toEqual({ ...tally({ total: 2, agree: 1, disagree: 1 }, { impossible: 1, platitudeAgree: 1 }), adhesion: 0.5, engagement: -1, score: -0.5 });
      expect(p6.body.byTier.medium).toEqual({ ...tally({}), adhesion: null, engagement: null, score: null });
      const p3 = await call<Json>(query.url, 'GET', `/v1/proposals/${id('P3')}`);
      expect(p3.body.votes).toEqual({ ...tally({}), adhesion: null, engagement: null, score: null });
      expect(p3.body.author).toEqual({ firstName: '=cmd|calc', ageRange: '35-44', tier: 'large' });
    });

    it("hides the first name of an author under 18", async () => {
      const p2 = await call<Json>(query.url, 'GET', `/v1/proposals/${id('P2')}`);
      expect(p2.body.author).toEqual({ ageRange: '<18', tier: 'medium' });
    });

    it('shows pending and refused proposals to moderators only', async () => {
      for (const name of ['P4', 'P5']) {
        expect((await call<Json>(query.url, 'GET', `/v1/proposals/${id(name)}`)).status).toBe(404);
        expect((await call<Json>(query.url, 'GET', `/v1/proposals/${id(name)}`, { token: token('R1') })).status).toBe(404);
      }
      const refused = await call<Json>(query.url, 'GET', `/v1/proposals/${id('P5')}`, { token: MODERATOR_TOKEN });
      expect(refused.status).toBe(200);
      expect(refused.headers.get('cache-control')).toBe('private, no-store');
      expect(refused.body.status).toBe('refused');
      expect(refused.body.votes.total).toBe(1);
      const bad = await call<Json>(query.url, 'GET', `/v1/proposals/${id('P1')}`, { token: 'forged-token-value' });
      expect(bad.status).toBe(401);
    });

    it('answers 404 problem+json for an unknown id or a non-UUID', async () => {
      for (const path of ['/v1/proposals/00000000-0000-4000-a000-000000000000', '/v1/proposals/not-a-uuid']) {
        const answer = await call<Json>(query.url, 'GET', path);
        expect(answer.status).toBe(404);
        expect(answer.body.type).toBe('proposal-not-found');
      }
    });

    it('gives the same answer from Postgres when Redis does not hold the proposal', async () => {
      const fallback = await startQuery(side, { REDIS_PROJECTION_PREFIX: `${side.topicPrefix}absent` });
      try {
        const fromRedis = await call<Json>(query.url, 'GET', `/v1/proposals/${id('P1')}`);
        const fromPostgres = await call<Json>(fallback.url, 'GET', `/v1/proposals/${id('P1')}`);
        expect(fromPostgres.headers.get('x-read-source')).toBe('postgres');
        const strip = ({ asOf, ...rest }: Json) => ({ ...rest, positions: asOf.positions });
        expect(strip(fromPostgres.body)).toEqual(strip(fromRedis.body));
      } finally {
        await fallback.close();
      }
    });
  });

  describe('proposal lists', () => {
    const ids = (body: Json): string[] => body.items.map((p: Json) => p.proposalId);
    const list = (qs: string, tokenValue?: string) => call<Json>(query.url, 'GET', `/v1/consultations/gc/proposals${qs}`, { token: tokenValue });
    const tied = () => [id('P6'), id('P7')].sort();

    it('ranks accepted proposals by score, ties by votes then id, no votes last (default sort top)', async () => {
      // Scores: P1 1.5; P2 2/6 + (2 − 2)/6 = 1/3; P6 and P7 −0.5 with 2 votes each; P3 none.
      const answer = await list('');
      expect(answer.status).toBe(200);
      expect(ids(answer.body)).toEqual([id('P1'), id('P2'), ...tied(), id('P3')]);
      expect(answer.body.nextCursor).toBeNull();
      expect(answer.body.asOf.positions).toEqual(expectedPositions());
      expect(answer.body.items[0].votes.score).toBe(1.5);
    });

    it('sorts by votes, by controversy (null below minVotesControversy) and by recency', async () => {
      expect(ids((await list('?sort=votes')).body)).toEqual([id('P1'), id('P2'), ...tied(), id('P3')]);
      // P2: A = 2 + 2, D = 3 + 2, N = 1 → 0.8; P1: A = 7 + 4, D = 1 + 1 → 4/13; others < 4 votes.
      expect(ids((await list('?sort=controversial')).body)).toEqual([id('P2'), id('P1'), ...tied(), id('P3')]);
      expect(ids((await list('?sort=recent')).body)).toEqual([id('P7'), id('P6'), id('P3'), id('P2'), id('P1')]);
    });

    it("ranks by one tier's votes with tier=", async () => {
      // Large scores: P1 2/3; P2 (neutral) 0, P6 and P7 (agree + platitudeAgree) 0, one large vote each; P3 none.
      expect(ids((await list('?tier=large')).body)).toEqual([id('P1'), ...[id('P2'), id('P6'), id('P7')].sort(), id('P3')]);
      expect(ids((await list('?authorTier=large&sort=votes')).body)).toEqual([id('P6'), id('P3')]);
    });

    it('pages with opaque cursors until nextCursor is null', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { body: Json } = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...ids(page.body));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([id('P1'), id('P2'), ...tied(), id('P3')]);
    });

    it('refuses a bad cursor or one from another list with 400, and bad parameters with 422', async () => {
      const first = await list('?limit=1');
      const other = await list(`?limit=1&sort=votes&cursor=${first.body.nextCursor}`);
      expect(other.status).toBe(400);
      expect(other.body.type).toBe('bad-cursor');
      for (const bad of ['garbage!', 'eyJ2IjoxfQ', Buffer.from('{"v":1,"q":"accepted|top||","k":["x",1],"id":"a"}').toString('base64url')]) {
        const answer = await list(`?cursor=${encodeURIComponent(bad)}`);
        expect(answer.status).toBe(400);
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
      }
      for (const qs of ['?limit=0', '?limit=101', '?sort=best', '?tier=urban', '?status=deleted']) {
        const answer = await list(qs);
        expect(answer.status).toBe(422);
        expect(answer.body.type).toBe('validation-failed');
      }
    });

    it('lists pending and refused proposals for moderators only', async () => {
      expect((await list('?status=pending')).status).toBe(401);
      expect((await list('?status=pending', token('R1'))).status).toBe(403);
      const pending = await list('?status=pending', MODERATOR_TOKEN);
      expect(ids(pending.body)).toEqual([id('P4')]);
      expect(pending.headers.get('cache-control')).toBe('private, no-store');
      expect(ids((await list('?status=refused', MODERATOR_TOKEN)).body)).toEqual([id('P5')]);
    });
  });

  describe('results', () => {
    const s = shares;

    it('lists plébiscites, controversies, consensus and divergence with the thresholds and data version', async () => {
      const answer = await call<Json>(query.url, 'GET', '/v1/consultations/gc/results');
      expect(answer.status).toBe(200);
      const r = answer.body;
      expect(r.thresholds).toEqual(GC_THRESHOLDS);
      expect(r.territoryDataVersion).toBe('@etalab/decoupage-administratif@6.0.0');
      expect(r.asOf.positions).toEqual(expectedPositions());
      const names = (items: Json[]) => items.map((i) => Object.keys(scenario.proposals).find((k) => scenario.proposals[k] === i.proposalId));

      // Overall: P1 (8 ≥ 6 votes, 0.875 ≥ 0.8, 0.625 ≥ 0.37). P2's controversy 0.8 ≥ 0.5; P1's 4/13 is not.
      expect(names(r.overall.plebiscites)).toEqual(['P1']);
      expect(r.overall.plebiscites[0].weightedAdhesion).toBeCloseTo(s.rural * 1 + s.medium * 1 + s.large * (2 / 3), 12);
      expect(names(r.overall.controversies)).toEqual(['P2']);
      expect(r.overall.controversies[0].controversy).toBeCloseTo(0.8, 12);
      // Per tier (minVotesPerTier 2): rural and medium plébiscite P1 (adhesion 1, engagement 1);
      // large splits on P1 (A = 2 + 1, D = 1 + 1 → 0.8) but backs nothing at 0.8.
      expect(names(r.byTier.rural.plebiscites)).toEqual(['P1']);
      expect(r.byTier.rural.plebiscites[0].votes).toMatchObject({ total: 3, adhesion: 1, engagement: 1, score: 2 });
      expect(names(r.byTier.medium.plebiscites)).toEqual(['P1']);
      expect(names(r.byTier.large.plebiscites)).toEqual([]);
      expect(names(r.byTier.rural.controversies)).toEqual([]); // P2 rural: 2·1/5 = 0.4 < 0.5
      expect(names(r.byTier.large.controversies)).toEqual(['P1']);
      expect(r.byTier.large.controversies[0].controversy).toBeCloseTo(0.8, 12);

      // Consensus: P1 has ≥ 2 votes in every tier: (3+1)/(3+2) · (2+1)/(2+2) · (2+1)/(3+2) = 0.36.
      expect(names(r.crossTier.consensus)).toEqual(['P1']);
      expect(r.crossTier.consensus[0].consensus).toBeCloseTo(0.36, 12);
      expect(r.crossTier.consensus[0].agreementByTier).toEqual({ rural: 0.8, medium: 0.75, large: 0.6 });
      // Divergence: P2 rural (2 − 1)/(3 + 2) = 0.2 backs, medium (0 − 2)/(2 + 2) = −0.5 rejects;
      // large has 1 vote (< 2): left out.
      expect(names(r.crossTier.divergence)).toEqual(['P2']);
      expect(r.crossTier.divergence[0]).toMatchObject({ backedBy: 'rural', rejectedBy: 'medium', supportByTier: { rural: 0.2, medium: -0.5, large: null } });
      expect(r.crossTier.divergence[0].gap).toBeCloseTo(0.7, 12);
    });

    it('compares participation per tier with the population and weights adhesion by census shares', async () => {
      const r = (await call<Json>(query.url, 'GET', '/v1/consultations/gc/results')).body;
      expect(r.populationShare.rural).toBeCloseTo(0.601, 3);
      expect(r.populationShare.medium).toBeCloseTo(0.249, 3);
      expect(r.populationShare.large).toBeCloseTo(0.15, 3);
      const rep = r.representativeness;
      // Participants 8 / 5 / 4 of 17; votes on proposals in results 8 / 4 / 6 of 18 (P5 is refused).
      const expected: Record<Tier, [number, number]> = { rural: [8, 8], medium: [5, 4], large: [4, 6] };
      for (const tier of TIERS) {
        const [participants, votes] = expected[tier];
        expect(rep.tiers[tier].participants).toBe(participants);
        expect(rep.tiers[tier].participantShare).toBeCloseTo(participants / 17, 12);
        expect(rep.tiers[tier].representation).toBeCloseTo(participants / 17 / s[tier], 12);
        expect(rep.tiers[tier].votes).toBe(votes);
        expect(rep.tiers[tier].voteWeight).toBeCloseTo(s[tier] / (votes / 18), 12);
      }
      // Agree: rural 5 of 8, medium 2 of 4, large 4 of 6 → raw 11/18.
      expect(rep.adhesion.raw).toBeCloseTo(11 / 18, 12);
      expect(rep.adhesion.weighted).toBeCloseTo(s.rural * (5 / 8) + s.medium * (2 / 4) + s.large * (4 / 6), 12);
    });

    it('leaves an empty tier out of the weights and keeps empty lists for a consultation without votes', async () => {
      // autre: R1 agree, L1 disagree, nobody medium.
      const autre = (await call<Json>(query.url, 'GET', '/v1/consultations/autre/results')).body;
      expect(autre.representativeness.tiers.medium).toMatchObject({ participants: 0, votes: 0, voteShare: 0, voteWeight: null, representation: 0 });
      expect(autre.representativeness.adhesion.raw).toBe(0.5);
      expect(autre.representativeness.adhesion.weighted).toBeCloseTo(s.rural / (s.rural + s.large), 12);
      const vide = (await call<Json>(query.url, 'GET', '/v1/consultations/vide/results')).body;
      expect(vide.overall).toEqual({ plebiscites: [], controversies: [] });
      expect(vide.crossTier).toEqual({ consensus: [], divergence: [] });
      expect(vide.representativeness.adhesion).toEqual({ raw: null, weighted: null });
      expect(vide.representativeness.tiers.rural.participantShare).toBeNull();
    });

    it('narrows byTier with tier= and truncates lists with limit=', async () => {
      const r = (await call<Json>(query.url, 'GET', '/v1/consultations/gc/results?tier=medium&limit=0')).status;
      expect(r).toBe(422);
      const narrowed = (await call<Json>(query.url, 'GET', '/v1/consultations/gc/results?tier=medium&limit=1')).body;
      expect(Object.keys(narrowed.byTier)).toEqual(['medium']);
      expect(narrowed.overall.plebiscites).toHaveLength(1);
      expect((await call<Json>(query.url, 'GET', '/v1/consultations/nope/results')).status).toBe(404);
    });
  });

  describe('sequence', () => {
    const sequence = (who: string, qs = '') => call<Json>(query.url, 'GET', `/v1/consultations/gc/sequence${qs}`, { token: token(who) });
    const ids = (body: Json): string[] => body.items.map((p: Json) => p.proposalId);

    it('never offers a proposal the participant voted on, nor their own, nor one outside results', async () => {
      for (const who of Object.keys(scenario.people)) {
        const answer = await sequence(who, '?limit=100');
        expect(answer.status).toBe(200);
        expect(answer.headers.get('cache-control')).toBe('private, no-store');
        const offered = new Set(ids(answer.body));
        const voted = await side.pool.query<{ id: string }>(
          `SELECT proposal_id::text AS id FROM readmodel.current_votes WHERE participant_id = $1`,
          [scenario.people[who].id],
        );
        for (const row of voted.rows) expect(offered.has(row.id)).toBe(false);
        for (const name of ['P4', 'P5']) expect(offered.has(id(name))).toBe(false);
        if (who === 'A') expect(offered.has(id('P1'))).toBe(false);
        if (who === 'C') expect([...offered].some((p) => p === id('P3') || p === id('P6'))).toBe(false);
      }
    });

    it("offers first what is short of votes overall and from the participant's tier", async () => {
      // L3 (large) voted P1. Large progress min(votes/6, large votes/2): P3 0, P6 and P7 1/3, P2 min(1, 1/2).
      const large = await sequence('L3', '?limit=3');
      expect(ids(large.body)[0]).toBe(id('P3'));
      expect(ids(large.body).slice(1).sort()).toEqual([id('P6'), id('P7')].sort());
      // R5 (rural) voted P7: P2 has 3 rural votes and 6 overall (progress 1), so P3 and P6 come first.
      expect(ids((await sequence('R5', '?limit=2')).body)).toEqual([id('P3'), id('P6')]);
      expect(large.body.items[0]).toEqual({
        proposalId: id('P3'),
        consultation: 'gc',
        text: 'Il faut rouvrir les petites lignes de train',
        author: { firstName: '=cmd|calc', ageRange: '35-44', tier: 'large' },
        submittedAt: expect.any(String),
      });
      expect(large.body.asOf.positions).toEqual(expectedPositions());
    });

    it('is empty outside the voting window, and for participants only', async () => {
      const closed = await call<Json>(query.url, 'GET', '/v1/consultations/autre/sequence', { token: token('R2') });
      expect(closed.body).toMatchObject({ items: [], votesOpen: false });
      expect((await call<Json>(query.url, 'GET', '/v1/consultations/gc/sequence')).status).toBe(401);
      expect((await call<Json>(query.url, 'GET', '/v1/consultations/gc/sequence', { token: MODERATOR_TOKEN })).status).toBe(403);
      expect((await call<Json>(query.url, 'GET', '/v1/consultations/gc/sequence', { token: 'p1.forged.token' })).status).toBe(401);
    });
  });

  describe('my votes', () => {
    const mine = (who: string, qs = '') => call<Json>(query.url, 'GET', `/v1/participants/me/votes${qs}`, { token: token(who) });

    it("lists the participant's current votes, most recent first, privately", async () => {
      const answer = await mine('R1');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('private, no-store');
      expect(answer.body.items.map((v: Json) => [v.proposalId, v.consultation, v.value, v.qualifications])).toEqual([
        [id('Q1'), 'autre', 'agree', []],
        [id('P2'), 'gc', 'agree', ['likeIt']],
        [id('P1'), 'gc', 'agree', ['likeIt']],
      ]);
      expect(answer.body.items[2]).toMatchObject({ inResults: true, text: 'Il faut des médecins dans chaque canton' });
      expect(answer.body.asOf.positions).toEqual(expectedPositions());
    });

    it('shows the last value of a changed vote, nothing for a retracted one, no text for a refused proposal', async () => {
      expect((await mine('R4')).body.items.map((v: Json) => [v.value, v.qualifications])).toEqual([['disagree', ['impossible']]]);
      expect((await mine('M3')).body.items).toEqual([]);
      expect((await mine('R6')).body.items).toMatchObject([{ proposalId: id('P5'), inResults: false, text: null }]);
    });

    it('filters by consultation and pages with cursors', async () => {
      expect((await mine('R1', '?consultation=gc')).body.items).toHaveLength(2);
      const first = await mine('R1', '?limit=2');
      expect(first.body.items).toHaveLength(2);
      const second = await mine('R1', `?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((v: Json) => v.proposalId)).toEqual([id('P1')]);
      expect(second.body.nextCursor).toBeNull();
      expect((await mine('R1', '?cursor=eyJ2IjoxLCJxIjoibXktdm90ZXN8IiwiayI6WzFdLCJpZCI6IngifQ')).status).toBe(400);
      expect((await call<Json>(query.url, 'GET', '/v1/participants/me/votes')).status).toBe(401);
    });
  });

  describe('CSV export', () => {
    it('streams one row per proposal in results with the open-data columns, per-tier figures and asOf', async () => {
      const response = await fetch(`${query.url}/v1/consultations/gc/exports/proposals.csv`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(JSON.parse(response.headers.get('x-as-of') ?? '{}').positions).toEqual(expectedPositions());
      const lines = (await response.text()).split('\r\n');
      expect(lines[0]).toBe(
        'proposition,auteur,age,votes,adhesion,engagement,score,' +
          'votes_rural,adhesion_rural,engagement_rural,score_rural,votes_medium,adhesion_medium,engagement_medium,score_medium,' +
          'votes_large,adhesion_large,engagement_large,score_large',
      );
      const twoThirds = String(2 / 3);
      expect(lines.slice(1)).toEqual([
        `Il faut des médecins dans chaque canton,Léa,25-34,8,0.875,0.625,1.5,3,1,1,2,2,1,1,2,3,${twoThirds},0,${twoThirds}`,
        // Under 18: no first name. Quotes doubled, the cell quoted for its comma.
        `"Il faut des ""maisons de santé"", partout",,<18,6,${String(2 / 6)},0,${String(2 / 6)},3,${twoThirds},${twoThirds},${String(4 / 3)},2,0,-1,-1,1,0,0,0`,
        // A first name starting with "=" is escaped; no votes: empty figures.
        `Il faut rouvrir les petites lignes de train,'=cmd|calc,35-44,0,,,,0,,,,0,,,,0,,,`,
        `Il faut des bus à la demande,'=cmd|calc,35-44,2,0.5,-1,-0.5,1,0,-1,-1,0,,,,1,1,-1,0`,
        `Il faut des tiers-lieux numériques,,,2,0.5,-1,-0.5,1,0,-1,-1,0,,,,1,1,-1,0`,
        '',
      ]);
    });

    it('answers 404 for an unknown consultation', async () => {
      const answer = await call<Json>(query.url, 'GET', '/v1/consultations/nope/exports/proposals.csv');
      expect(answer.status).toBe(404);
      expect(answer.body.type).toBe('consultation-not-found');
    });
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await call<Json>(query.url, 'GET', '/health/live')).status).toBe(200);
    const ready = await call<Json>(query.url, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks).sort()).toEqual(['postgres', 'redis']);
    const metrics = await fetch(`${query.url}/metrics`);
    expect(await metrics.text()).toContain('http_requests_total');
    const docs = await call<Json>(query.url, 'GET', '/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/v1/consultations/{slug}/stats', '/v1/proposals/{proposalId}', '/v1/consultations/{slug}/exports/proposals.csv']),
    );
  });
});
