import { TokenRevocations } from '@app/redis';
import { QueryHarness, ReadSide, createReadSide, randomId, startQuery } from './query-harness';

/**
 * docs/security.md on the query-api: revoked participant tokens are refused (the ingest's
 * revocation, read from the same Redis prefix), CORS from the allow-list, security headers
 * everywhere, and the routes' own Cache-Control left as they set it.
 */
const ORIGIN = 'https://consultation.example.fr';

describe('query-api: token revocation, CORS and security headers', () => {
  let side: ReadSide;
  let query: QueryHarness;

  beforeAll(async () => {
    side = await createReadSide('query-hardening');
    query = await startQuery(side, { CORS_ORIGINS: ORIGIN, HSTS_MAX_AGE_SECONDS: '600' });
  });
  afterAll(async () => {
    await query?.close();
    await side?.close();
  });

  it('refuses a revoked participant token on participant and public routes, and only that participant’s', async () => {
    const revoked = randomId();
    const token = query.tokenFor(revoked, 'large');
    const other = query.tokenFor(randomId(), 'large');
    const myVotes = (t: string) => fetch(`${query.url}/v1/participants/me/votes`, { headers: { authorization: `Bearer ${t}` } });
    expect((await myVotes(token)).status).toBe(200);
    await new TokenRevocations(side.redis, side.topicPrefix).revoke(revoked, 'tester', new Date(), 60);
    const refused = await myVotes(token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ type: 'token-revoked', status: 401 });
    const publicRoute = await fetch(`${query.url}/v1/consultations/nowhere/proposals`, { headers: { authorization: `Bearer ${token}` } });
    expect(publicRoute.status).toBe(401);
    expect((await myVotes(other)).status).toBe(200);
  });

  it('answers CORS for allowed origins only, preflights included', async () => {
    const allowed = await fetch(`${query.url}/v1/consultations/nowhere/stats`, { headers: { origin: ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const denied = await fetch(`${query.url}/v1/consultations/nowhere/stats`, { headers: { origin: 'https://evil.example' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${query.url}/v1/participants/me/votes`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect((preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase()).toContain('authorization');
  });

  it('sends the security headers and leaves each route’s Cache-Control as the route set it', async () => {
    const mine = await fetch(`${query.url}/v1/participants/me/votes`, { headers: { authorization: `Bearer ${query.tokenFor(randomId(), 'rural')}` } });
    const missing = await fetch(`${query.url}/v1/consultations/nowhere/stats`);
    expect([mine.status, missing.status]).toEqual([200, 404]);
    for (const answer of [mine, missing]) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
      expect(answer.headers.get('strict-transport-security')).toBe('max-age=600');
    }
    expect(mine.headers.get('cache-control')).toBe('private, no-store');
    // The query-api adds no cache policy of its own.
    expect(missing.headers.get('cache-control')).toBeNull();
  });
});
