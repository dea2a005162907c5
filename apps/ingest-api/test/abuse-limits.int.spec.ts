import Redis from 'ioredis';
import { eventually, testEnv } from '@app/testing';
import { Answer, call } from './http-client';
import { IngestHarness, MODERATOR_TOKEN, startIngest } from './ingest-harness';
import { startIngestVariant } from './ingest-harness-variants';
import { expectProblem, moderate, register, Registered, schedule, submit } from './test-support';

/**
 * docs/security.md "Rate limits" and "Revocation", against two real ingest instances sharing one
 * Redis prefix (and their topics and database). 24-hour windows keep every count inside one window
 * whatever the hour the test runs (they are aligned on UTC midnight). 127.0.0.1 is a trusted proxy
 * here, so each test speaks for its own client addresses through X-Forwarded-For.
 */
const LIMITS = {
  RATE_LIMIT_EXEMPT: '', // the harness exempts 127.0.0.1; here nothing is exempt
  TRUSTED_PROXIES: '127.0.0.1',
  RATE_LIMIT_PARTICIPANT: '3/24h',
  RATE_LIMIT_ADDRESS: '10/24h',
  RATE_LIMIT_REGISTRATION: '4/24h',
  RATE_LIMIT_OVERRIDES: JSON.stringify({ big: { participant: '6/24h' }, open: { participant: 'off', address: 'off' } }),
};

const secondsToUtcMidnight = (): number => {
  const now = Date.now();
  return Math.ceil((Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000 - now) / 1000);
};

describe('ingest-api: write limits and token revocation, shared across instances', () => {
  let a: IngestHarness;
  let b: IngestHarness;
  let redis: Redis;
  const proposals: Record<string, string> = {};
  let addressCounter = 0;
  /** A client address no other test uses. */
  const freshAddress = (): string => `198.51.100.${++addressCounter}`;

  const from = (address: string, token?: string, body?: unknown) => ({ headers: { 'x-forwarded-for': address }, token, body });
  const vote = (url: string, proposalId: string, voter: Registered, address: string, value = 'agree'): Promise<Answer> =>
    call(url, 'PUT', `/v1/proposals/${proposalId}/vote`, from(address, voter.token, { value }));
  const registerFrom = (url: string, address: string): Promise<Answer> =>
    call(url, 'POST', '/v1/participants', from(address, undefined, { communeCode: '75101' }));
  const newVoter = async (): Promise<Registered> => (await registerFrom(a.url, freshAddress())).body as unknown as Registered;

  const expectRateLimited = (answer: Answer, limit: string): void => {
    expectProblem(answer, 429, 'rate-limited');
    const retryAfter = Number(answer.headers.get('retry-after'));
    expect(answer.body).toMatchObject({ limit, retryAfter });
    // The whole seconds left in the 24-hour window, which ends at the next UTC midnight.
    expect(Math.abs(retryAfter - secondsToUtcMidnight())).toBeLessThanOrEqual(2);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
  };

  beforeAll(async () => {
    a = await startIngest('limits', LIMITS);
    b = await startIngestVariant({ label: 'limits-b', topicPrefix: a.topicPrefix, database: a.database, overrides: LIMITS });
    await eventually(async () => {
      if ((await fetch(`${b.url}/health/ready`)).status !== 200) throw new Error('second ingest not ready');
    }, { timeoutMs: 30_000 });
    redis = new Redis(testEnv.redisUrl());
    // Moderator writes are not limited: the setup below goes through without any address.
    const author = (await registerFrom(a.url, '192.0.2.250')).body as unknown as Registered;
    for (const slug of ['gcx', 'big', 'open']) {
      await schedule(a.url, slug);
      proposals[slug] = await submit(a.url, slug, author.token, `Il faut des pistes cyclables sûres à ${slug}`);
      await moderate(a.url, proposals[slug], 'accept');
    }
    // Instance b follows the log: wait until it knows the three proposals (a vote there answers 202, not 404).
    const probe = await newVoter();
    for (const slug of Object.keys(proposals)) {
      for (let i = 0; i < 100; i++) {
        const answer = await call(b.url, 'DELETE', `/v1/proposals/${proposals[slug]}/vote`, from('192.0.2.251', probe.token));
        if (answer.status === 202) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    if (redis !== undefined && a !== undefined) {
      const keys = await redis.keys(`${a.config.REDIS_PREFIX}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('refuses a participant’s writes past its limit with 429 rate-limited, Retry-After and a problem document', async () => {
    const voter = await newVoter();
    const address = freshAddress();
    expect((await vote(a.url, proposals.gcx, voter, address)).status).toBe(202);
    expect((await vote(a.url, proposals.gcx, voter, address, 'disagree')).status).toBe(202);
    expect((await call(a.url, 'DELETE', `/v1/proposals/${proposals.gcx}/vote`, from(address, voter.token))).status).toBe(202);
    const refused = await vote(a.url, proposals.gcx, voter, address);
    expectRateLimited(refused, 'participant');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    // Proposals count against the same budget; another participant at the same address is not affected.
    expectRateLimited(
      await call(a.url, 'POST', '/v1/consultations/gcx/proposals', from(address, voter.token, { text: 'Il faut plus de bancs publics' })),
      'participant',
    );
    expect((await vote(a.url, proposals.gcx, await newVoter(), address)).status).toBe(202);
  });

  it('refuses writes from one client address past its limit, whoever sends them', async () => {
    const address = freshAddress();
    const voters = [await newVoter(), await newVoter(), await newVoter(), await newVoter()];
    const statuses: number[] = [];
    let last: Answer | undefined;
    for (const voter of voters) {
      for (const value of ['agree', 'disagree', 'neutral']) {
        last = await vote(a.url, proposals.gcx, voter, address, value);
        statuses.push(last.status);
      }
    }
    expect(statuses).toEqual([...Array<number>(10).fill(202), 429, 429]);
    expectRateLimited(last as Answer, 'address');
  });

  it('limits registrations per client address, and X-Forwarded-For counts only from a trusted proxy', async () => {
    const address = freshAddress();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await registerFrom(a.url, address)).status);
    expect(statuses).toEqual([201, 201, 201, 201]);
    const refused = await registerFrom(a.url, address);
    expectRateLimited(refused, 'registration');
    expect((await registerFrom(a.url, freshAddress())).status).toBe(201);
    // The right-most untrusted hop is the client: a forged left part changes nothing.
    expectRateLimited(await registerFrom(a.url, `203.0.113.1, ${address}`), 'registration');
  });

  it('gives a consultation with an override its own limits', async () => {
    const voter = await newVoter();
    const address = freshAddress();
    for (let i = 0; i < 3; i++) expect((await vote(a.url, proposals.gcx, voter, address)).status).toBe(202);
    expectRateLimited(await vote(a.url, proposals.gcx, voter, address), 'participant');
    // "big": 6 per participant, counted apart from the default budget this voter used up.
    const big: number[] = [];
    for (let i = 0; i < 7; i++) big.push((await vote(a.url, proposals.big, voter, freshAddress())).status);
    expect(big).toEqual([202, 202, 202, 202, 202, 202, 429]);
    // "open": no participant or address limit at all.
    const openAddress = freshAddress();
    for (let i = 0; i < 12; i++) expect((await vote(a.url, proposals.open, voter, openAddress)).status).toBe(202);
  });

  it('shares the counts between ingest instances through Redis', async () => {
    const voter = await newVoter();
    const address = freshAddress();
    expect((await vote(a.url, proposals.gcx, voter, address)).status).toBe(202);
    expect((await vote(b.url, proposals.gcx, voter, address)).status).toBe(202);
    expect((await vote(a.url, proposals.gcx, voter, address)).status).toBe(202);
    expectRateLimited(await vote(b.url, proposals.gcx, voter, address), 'participant');
    expectRateLimited(await vote(a.url, proposals.gcx, voter, address), 'participant');
  });

  it('counts refusals in the metrics, by limit', async () => {
    const text = await (await fetch(`${a.url}/metrics`)).text();
    for (const limit of ['participant', 'address', 'registration']) {
      const line = text.split('\n').find((l) => l.startsWith('ingest_rate_limited_total') && l.includes(`limit="${limit}"`));
      expect(Number(line?.split(' ').pop())).toBeGreaterThan(0);
    }
  });

  it('revokes a participant’s token on every instance, from the moderator route only', async () => {
    const voter = await newVoter();
    expect((await vote(a.url, proposals.open, voter, freshAddress())).status).toBe(202);
    const path = `/v1/moderation/participants/${voter.participantId}/revoke-token`;
    expectProblem(await call(a.url, 'POST', path), 401, 'unauthorized');
    expectProblem(await call(a.url, 'POST', path, { token: voter.token }), 403, 'forbidden');
    expectProblem(await call(a.url, 'POST', '/v1/moderation/participants/not-a-uuid/revoke-token', { token: MODERATOR_TOKEN }), 404, 'not-found');
    const revoked = await call(a.url, 'POST', path, { token: MODERATOR_TOKEN });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ participantId: voter.participantId, revokedBy: 'tester' });
    for (const url of [a.url, b.url]) {
      expectProblem(await vote(url, proposals.open, voter, freshAddress()), 401, 'token-revoked');
      expectProblem(await call(url, 'DELETE', `/v1/proposals/${proposals.open}/vote`, from(freshAddress(), voter.token)), 401, 'token-revoked');
      expectProblem(
        await call(url, 'POST', '/v1/consultations/open/proposals', from(freshAddress(), voter.token, { text: 'Il faut des fontaines' })),
        401,
        'token-revoked',
      );
    }
    // Other participants are untouched, and the revocation is counted.
    expect((await vote(b.url, proposals.open, await newVoter(), freshAddress())).status).toBe(202);
    expect(await (await fetch(`${a.url}/metrics`)).text()).toMatch(/^ingest_revoked_token_refusals_total\{[^}]*\} [1-9]/m);
  });
});

describe('ingest-api: client address without trusted proxies', () => {
  let ingest: IngestHarness;

  beforeAll(async () => {
    ingest = await startIngest('limits-noproxy', { RATE_LIMIT_EXEMPT: '', RATE_LIMIT_REGISTRATION: '2/24h' });
  });
  afterAll(async () => {
    const redis = new Redis(testEnv.redisUrl());
    const keys = await redis.keys(`${ingest.config.REDIS_PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await ingest?.close();
  });

  it('ignores X-Forwarded-For: every request counts for the socket’s address', async () => {
    const statuses = [];
    for (const forged of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      const answer = await call(ingest.url, 'POST', '/v1/participants', { headers: { 'x-forwarded-for': forged }, body: { communeCode: '75101' } });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([201, 201, 429]);
  });
});
