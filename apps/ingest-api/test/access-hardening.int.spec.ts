import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { ParticipantTokens } from '@app/auth';
import { eventually, testEnv } from '@app/testing';
import { Answer, call } from './http-client';
import { IngestHarness, TOKEN_SECRET, startIngest } from './ingest-harness';
import { startIngestVariant } from './ingest-harness-variants';
import { expectProblem, register, signParticipantToken } from './test-support';

/**
 * docs/security.md "Key rotation", "CORS" and "Security headers" on a real ingest: one instance in
 * the middle of a rotation (old TOKEN_SECRET and k1 still accepted, k2 signs), then one after it
 * (only k2), on the same topics and database.
 */
const K1 = 'k1-secret-0123456789-0123456789-abcdef';
const K2 = 'k2-secret-0123456789-0123456789-abcdef';
const ORIGIN = 'https://consultation.example.fr';

describe('ingest-api: participant-token key rotation, CORS and security headers', () => {
  let during: IngestHarness;
  let after: IngestHarness;
  const claims = () => ({ participantId: randomUUID(), tier: 'rural' as const, exp: Math.floor(Date.now() / 1000) + 3600 });
  const k1Token = () => new ParticipantTokens({ keys: [{ id: 'k1', secret: K1 }], signingKeyId: 'k1' }).sign(claims());
  /** Through authentication to the route: an unknown proposal's 404 proves the token was accepted. */
  const voteWith = (url: string, token: string): Promise<Answer> =>
    call(url, 'PUT', `/v1/proposals/${randomUUID()}/vote`, { token, body: { value: 'agree' } });

  beforeAll(async () => {
    during = await startIngest('rotation', {
      TOKEN_SECRET,
      TOKEN_SECRETS: `k1:${K1},k2:${K2}`,
      TOKEN_SIGNING_KEY_ID: 'k2',
      CORS_ORIGINS: `${ORIGIN},http://localhost:5173`,
      HSTS_MAX_AGE_SECONDS: '3600',
    });
    after = await startIngestVariant({
      label: 'rotation-after',
      topicPrefix: during.topicPrefix,
      database: during.database,
      overrides: { TOKEN_SECRET: '', TOKEN_SECRETS: `k2:${K2}`, TOKEN_SIGNING_KEY_ID: 'k2', HSTS_MAX_AGE_SECONDS: '0' },
    });
    await eventually(async () => {
      if ((await fetch(`${after.url}/health/ready`)).status !== 200) throw new Error('second ingest not ready');
    }, { timeoutMs: 30_000 });
  });

  afterAll(async () => {
    await after?.close();
    await during?.close();
    const redis = new Redis(testEnv.redisUrl());
    const keys = await redis.keys(`${during.config.REDIS_PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('accepts tokens of the old TOKEN_SECRET and of every configured key, and signs new ones with TOKEN_SIGNING_KEY_ID', async () => {
    expectProblem(await voteWith(during.url, signParticipantToken(claims())), 404, 'proposal-not-found');
    expectProblem(await voteWith(during.url, k1Token()), 404, 'proposal-not-found');
    const registered = await register(during.url);
    const payload = JSON.parse(Buffer.from(registered.token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(payload.kid).toBe('k2');
    expectProblem(await voteWith(during.url, registered.token), 404, 'proposal-not-found');
  });

  it('refuses tokens of a key removed from the configuration, and still accepts those of the kept key', async () => {
    const registered = await register(during.url);
    expectProblem(await voteWith(after.url, registered.token), 404, 'proposal-not-found');
    expectProblem(await voteWith(after.url, k1Token()), 401, 'unauthorized');
    expectProblem(await voteWith(after.url, signParticipantToken(claims())), 401, 'unauthorized');
    // A token naming a key that exists, but signed with another secret.
    const forged = new ParticipantTokens({ keys: [{ id: 'k2', secret: K1 }], signingKeyId: 'k2' }).sign(claims());
    expectProblem(await voteWith(after.url, forged), 401, 'unauthorized');
  });

  it('answers CORS for allowed origins only, preflights included', async () => {
    const allowed = await fetch(`${during.url}/health/live`, { headers: { origin: ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(allowed.headers.get('vary') ?? '').toMatch(/origin/i);
    const denied = await fetch(`${during.url}/health/live`, { headers: { origin: 'https://evil.example' } });
    expect(denied.status).toBe(200);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = (origin: string) =>
      fetch(`${during.url}/v1/proposals/${randomUUID()}/vote`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
      });
    const ok = await preflight(ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-methods')).toContain('PUT');
    expect((ok.headers.get('access-control-allow-headers') ?? '').toLowerCase()).toContain('idempotency-key');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();

    // Without CORS_ORIGINS no origin is allowed.
    const none = await fetch(`${after.url}/health/live`, { headers: { origin: ORIGIN } });
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends the security headers on successes, problems and unknown routes, and no-store on answers that set no cache policy', async () => {
    const answers = [
      await call(during.url, 'POST', '/v1/participants', { body: { communeCode: '75101' } }),
      await call(during.url, 'POST', '/v1/participants', { raw: '{', headers: { 'content-type': 'application/json' } }),
      await call(during.url, 'GET', '/v1/nothing-here'),
      await voteWith(during.url, 'not-a-token'),
    ];
    expect(answers.map((a) => a.status)).toEqual([201, 400, 404, 401]);
    for (const answer of answers) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('content-security-policy')).toMatch(/^default-src 'none';.*frame-ancestors 'none'/);
      expect(answer.headers.get('strict-transport-security')).toBe('max-age=3600');
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
    // The OpenAPI UI gets a CSP that lets it load its own scripts and styles.
    const docs = await fetch(`${during.url}/docs`);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
    // HSTS_MAX_AGE_SECONDS=0: no HSTS header.
    expect((await fetch(`${after.url}/health/live`)).headers.get('strict-transport-security')).toBeNull();
  });
});
