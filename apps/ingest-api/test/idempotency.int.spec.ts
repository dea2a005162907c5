import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { testEnv } from '@app/testing';
import { Answer, call } from './http-client';
import { IngestHarness, MODERATOR_TOKEN, startIngest } from './ingest-harness';
import { expectProblem, isPosition, moderate, Position, readTopic, register, Registered, schedule, submit } from './test-support';

/**
 * API.md "Idempotency" under concurrency and store loss: the same key at the same instant is
 * decided once (one 202, the other 409 in flight, or a replay of the first); a retried
 * registration gets the same participant; and when the key store is lost (Redis flushed) a
 * retry is appended again but with the SAME event id, which is what lets the projector count it
 * once.
 */
describe('ingest-api: Idempotency-Key under concurrency and key-store loss', () => {
  let ingest: IngestHarness;
  let redis: Redis;
  let author: Registered;
  let voter: Registered;
  let accepted: string;

  const flushIdempotencyKeys = async (): Promise<number> => {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${ingest.config.REDIS_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  };

  /** Both answers of a simultaneous pair: one 2xx and one 409 in flight, or two identical 2xx. */
  const expectDecidedOnce = (pair: Answer[], success: number): Answer => {
    const statuses = pair.map((a) => a.status).sort();
    if (statuses[0] === success && statuses[1] === success) {
      expect(pair[1].body).toEqual(pair[0].body);
      expect(pair.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    } else {
      expect(statuses).toEqual([success, 409]);
      expectProblem(pair.find((a) => a.status === 409) as Answer, 409, 'idempotency-request-in-flight');
    }
    return pair.find((a) => a.status === success) as Answer;
  };

  beforeAll(async () => {
    ingest = await startIngest('idem');
    redis = new Redis(testEnv.redisUrl(), { lazyConnect: false, maxRetriesPerRequest: 2 });
    await schedule(ingest.url, 'idem-open');
    author = await register(ingest.url, { communeCode: '75101' });
    voter = await register(ingest.url, { communeCode: '2A004' });
    accepted = await submit(ingest.url, 'idem-open', author.token, 'Il faut des bibliothèques ouvertes le soir');
    await moderate(ingest.url, accepted, 'accept');
  });
  afterAll(async () => {
    redis?.disconnect();
    await ingest?.close();
  });

  it('the same key sent twice at the same instant → one 202 and one 409 (or a replay), one event each time', async () => {
    const rounds = 20;
    const voterOfRound: Registered[] = [];
    const positions: Position[] = [];
    let inFlightSeen = 0;
    for (let round = 0; round < rounds; round++) {
      const someone = await register(ingest.url, { postalCode: '01500' });
      voterOfRound.push(someone);
      const key = `same-instant-${round}-${randomUUID()}`;
      const send = () =>
        call(ingest.url, 'PUT', `/v1/proposals/${accepted}/vote`, {
          token: someone.token,
          body: { value: 'agree', qualifications: ['likeIt'] },
          headers: { 'idempotency-key': key },
        });
      const pair = await Promise.all([send(), send()]);
      expect(pair.every((a) => a.status < 500)).toBe(true);
      if (pair.some((a) => a.status === 409)) inFlightSeen++;
      const winner = expectDecidedOnce(pair, 202);
      const position = (winner.body as { position: Position }).position;
      expect(isPosition(position)).toBe(true);
      positions.push(position);
      // Once settled, the key replays the first answer.
      const later = await send();
      expect(later.status).toBe(202);
      expect(later.headers.get('idempotent-replayed')).toBe('true');
      expect((later.body as { position: Position }).position).toEqual(position);
    }
    // One VoteCast per participant, whatever the race.
    const votes = await readTopic(ingest.topicPrefix, 'votes');
    for (const [round, someone] of voterOfRound.entries()) {
      const mine = votes.filter((r) => r.key === someone.participantId);
      expect(mine).toHaveLength(1);
      expect({ partition: mine[0].partition, offset: mine[0].offset }).toEqual({
        partition: positions[round].partition,
        offset: positions[round].offset,
      });
    }
    // Both outcomes are allowed; say which ones this run saw.
    process.stdout.write(`same-instant pairs: ${inFlightSeen}/${rounds} answered 202 + 409, the others 202 + replay\n`);
  });

  it('the same proposal key at the same instant → one proposal, one ProposalSubmitted', async () => {
    const key = `same-instant-proposal-${randomUUID()}`;
    const send = () =>
      call(ingest.url, 'POST', '/v1/consultations/idem-open/proposals', {
        token: author.token,
        body: { text: 'Il faut des cantines bio et locales' },
        headers: { 'idempotency-key': key },
      });
    const pair = await Promise.all([send(), send()]);
    const winner = expectDecidedOnce(pair, 202);
    const proposalId = (winner.body as { proposalId: string }).proposalId;
    const submitted = (await readTopic(ingest.topicPrefix, 'proposals')).filter((r) => r.key === proposalId && r.event.type === 'ProposalSubmitted');
    expect(submitted).toHaveLength(1);
  });

  it('the same registration key at the same instant → one participant', async () => {
    const key = `same-instant-registration-${randomUUID()}`;
    const send = () => call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '69381', firstName: 'Inès' }, headers: { 'idempotency-key': key } });
    const pair = await Promise.all([send(), send()]);
    const winner = expectDecidedOnce(pair, 201);
    const participantId = (winner.body as { participantId: string }).participantId;
    const registered = (await readTopic(ingest.topicPrefix, 'participants')).filter((r) => r.key === participantId);
    expect(registered).toHaveLength(1);
  });

  /*
   * Regression (found by this test): the Idempotency-Key store scoped a key by `METHOD request.url`
   * (query string included) while event ids were derived from the route WITHOUT the query string.
   * So the same key on `/vote?x=1` with another body was not "reused" (422): it was decided and
   * appended with the SAME eventId as the first vote but another value, and the projector, which
   * drops duplicate event ids, silently discarded the new vote although the client got 202.
   */
  it('the same key with another body through a query string is refused, or appended with another event id', async () => {
    const key = `query-${randomUUID()}`;
    const first = await call(ingest.url, 'PUT', `/v1/proposals/${accepted}/vote`, {
      token: voter.token,
      body: { value: 'agree' },
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(202);
    const second = await call(ingest.url, 'PUT', `/v1/proposals/${accepted}/vote?via=mobile`, {
      token: voter.token,
      body: { value: 'disagree', qualifications: ['noWay'] },
      headers: { 'idempotency-key': key },
    });
    expect(second.status).toBeLessThan(500);
    if (second.status !== 202) {
      expectProblem(second, 422, 'idempotency-key-reused');
      return;
    }
    const at = (answer: Answer) => (answer.body as { position: Position }).position;
    const votes = await readTopic(ingest.topicPrefix, 'votes');
    const find = (p: Position) => votes.find((r) => r.partition === p.partition && r.offset === p.offset);
    const [a, b] = [find(at(first)), find(at(second))];
    expect(a?.event.data).toMatchObject({ value: 'agree' });
    expect(b?.event.data).toMatchObject({ value: 'disagree' });
    // A 202 for another vote must not carry the event id of the first, or it is dropped downstream.
    expect(b?.event.eventId).not.toBe(a?.event.eventId);
  });

  it('a retried registration with the same key gives the same participantId and token', async () => {
    const key = `registration-${randomUUID()}`;
    const body = { communeCode: '74011', firstName: 'Zoé', ageRange: '35-44' };
    const first = await call<Registered>(ingest.url, 'POST', '/v1/participants', { body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    const retried = await call<Registered>(ingest.url, 'POST', '/v1/participants', { body, headers: { 'idempotency-key': key } });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body.participantId).toBe(first.body.participantId);
    expect(retried.body.token).toBe(first.body.token);
    expect(retried.body).toEqual(first.body);
    // The replayed token works.
    const vote = await call(ingest.url, 'PUT', `/v1/proposals/${accepted}/vote`, { token: retried.body.token, body: { value: 'neutral' } });
    expect(vote.status).toBe(202);
  });

  it('after the key store is flushed, retries are appended again with the SAME event ids (the projector counts them once)', async () => {
    const voteKey = `flush-vote-${randomUUID()}`;
    const proposalKey = `flush-proposal-${randomUUID()}`;
    const registrationKey = `flush-registration-${randomUUID()}`;
    const voteBody = { value: 'disagree', qualifications: ['impossible'] };
    const proposalBody = { text: 'Il faut des piscines municipales rénovées' };
    const registrationBody = { communeCode: '13201', firstName: 'Nour' };

    const vote1 = await call(ingest.url, 'PUT', `/v1/proposals/${accepted}/vote`, { token: voter.token, body: voteBody, headers: { 'idempotency-key': voteKey } });
    const proposal1 = await call(ingest.url, 'POST', '/v1/consultations/idem-open/proposals', { token: author.token, body: proposalBody, headers: { 'idempotency-key': proposalKey } });
    const registration1 = await call<Registered>(ingest.url, 'POST', '/v1/participants', { body: registrationBody, headers: { 'idempotency-key': registrationKey } });
    expect([vote1.status, proposal1.status, registration1.status]).toEqual([202, 202, 201]);

    expect(await flushIdempotencyKeys()).toBeGreaterThan(0);

    const vote2 = await call(ingest.url, 'PUT', `/v1/proposals/${accepted}/vote`, { token: voter.token, body: voteBody, headers: { 'idempotency-key': voteKey } });
    const proposal2 = await call(ingest.url, 'POST', '/v1/consultations/idem-open/proposals', { token: author.token, body: proposalBody, headers: { 'idempotency-key': proposalKey } });
    const registration2 = await call<Registered>(ingest.url, 'POST', '/v1/participants', { body: registrationBody, headers: { 'idempotency-key': registrationKey } });
    expect([vote2.status, proposal2.status, registration2.status]).toEqual([202, 202, 201]);
    // Not replays: the store forgot them, so they were decided and appended again...
    for (const answer of [vote2, proposal2, registration2]) expect(answer.headers.get('idempotent-replayed')).toBeNull();
    const p1 = (vote1.body as { position: Position }).position;
    const p2 = (vote2.body as { position: Position }).position;
    expect(p2).not.toEqual(p1);

    // ...with the same ids, so downstream sees a duplicate, not a second vote.
    const votes = (await readTopic(ingest.topicPrefix, 'votes')).filter((r) => r.key === voter.participantId && r.event.type === 'VoteCast');
    const appended = votes.filter(
      (r) => (r.partition === p1.partition && r.offset === p1.offset) || (r.partition === p2.partition && r.offset === p2.offset),
    );
    expect(appended).toHaveLength(2);
    expect(appended[0].event.eventId).toBe(appended[1].event.eventId);
    expect(appended[0].event.data).toEqual(appended[1].event.data);
    expect(appended[0].event.data).toMatchObject({ proposalId: accepted, value: 'disagree', qualifications: ['impossible'], voterTier: 'medium' });

    const proposalId = (proposal1.body as { proposalId: string }).proposalId;
    expect((proposal2.body as { proposalId: string }).proposalId).toBe(proposalId);
    const submitted = (await readTopic(ingest.topicPrefix, 'proposals')).filter((r) => r.key === proposalId && r.event.type === 'ProposalSubmitted');
    expect(submitted).toHaveLength(2);
    expect(submitted[0].event.eventId).toBe(submitted[1].event.eventId);
    // The write model folds it once: it is in the moderation queue once.
    const queue = await call<{ items: { proposalId: string }[] }>(ingest.url, 'GET', '/v1/moderation/queue?limit=100', { token: MODERATOR_TOKEN });
    expect(queue.body.items.filter((i) => i.proposalId === proposalId)).toHaveLength(1);

    expect(registration2.body.participantId).toBe(registration1.body.participantId);
    expect(registration2.body.tier).toBe(registration1.body.tier);
    const registered = (await readTopic(ingest.topicPrefix, 'participants')).filter((r) => r.key === registration1.body.participantId);
    expect(registered).toHaveLength(2);
    expect(registered[0].event.eventId).toBe(registered[1].event.eventId);
    // Sealed with the same per-participant key (insert-or-get): same personal data ciphertext is not
    // required (fresh nonce), but both events name the same participant and tier.
    expect(registered[1].event.data).toMatchObject({ participantId: registration1.body.participantId, tier: 'large' });
  });

  it('after the key store is flushed, a key whose first answer was a 4xx is decided again on the current state', async () => {
    const pending = await submit(ingest.url, 'idem-open', author.token, 'Il faut des ludothèques dans chaque quartier');
    const key = `flush-4xx-${randomUUID()}`;
    const send = () => call(ingest.url, 'PUT', `/v1/proposals/${pending}/vote`, { token: voter.token, body: { value: 'agree' }, headers: { 'idempotency-key': key } });
    expectProblem(await send(), 409, 'proposal-not-votable');
    await flushIdempotencyKeys();
    const again = await send();
    expectProblem(again, 409, 'proposal-not-votable');
    expect(again.headers.get('idempotent-replayed')).toBeNull();
  });
});
