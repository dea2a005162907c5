import { ModeratorTokens } from './moderator-tokens';
import { ParticipantTokens, participantTokensFrom } from './participant-token';

describe('participant tokens', () => {
  const tokens = new ParticipantTokens('s'.repeat(32));
  const claims = { participantId: '9f8e7d6c-5b4a-4f3e-8d2c-1b0a9f8e7d6c', tier: 'large' as const, exp: 2000 };

  it('verifies what it signed', () => {
    expect(tokens.verify(tokens.sign(claims), 1000)).toEqual({ ok: true, claims });
  });

  it('refuses an expired token', () => {
    expect(tokens.verify(tokens.sign(claims), 2000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token whose tier was changed by the client', () => {
    const [v, , sig] = tokens.sign(claims).split('.');
    const forged = Buffer.from(JSON.stringify({ pid: claims.participantId, tier: 'rural', exp: 2000 })).toString('base64url');
    expect(tokens.verify(`${v}.${forged}.${sig}`, 1000)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a token signed with another secret', () => {
    const other = new ParticipantTokens('t'.repeat(32));
    expect(tokens.verify(other.sign(claims), 1000)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each(['', 'abc', 'p1.x', 'p2.a.b', 'p1..'])('refuses the malformed token %j', (token) => {
    expect(tokens.verify(token, 1000).ok).toBe(false);
  });
});

describe('moderator tokens', () => {
  const moderators = new ModeratorTokens(['alice:alice-secret-token-123', 'bare-token-of-16-chars']);

  it('names a moderator from a name:token entry', () => {
    expect(moderators.identify('alice-secret-token-123')).toBe('alice');
  });

  it('names a bare token by its digest prefix, never by the token', () => {
    expect(moderators.identify('bare-token-of-16-chars')).toMatch(/^moderator-[0-9a-f]{8}$/);
  });

  it('refuses an unknown token and a prefix of a real one', () => {
    expect(moderators.identify('alice-secret')).toBeUndefined();
    expect(moderators.identify('')).toBeUndefined();
  });
});

describe('participant token keys (rotation)', () => {
  const claims = { participantId: '9f8e7d6c-5b4a-4f3e-8d2c-1b0a9f8e7d6c', tier: 'medium' as const, exp: 2000 };
  const legacy = 'l'.repeat(32);
  const k1 = { id: 'k1', secret: '1'.repeat(32) };
  const k2 = { id: 'k2', secret: '2'.repeat(32) };

  it('accepts tokens of the single TOKEN_SECRET after key ids are introduced, and signs with the named key', () => {
    const before = new ParticipantTokens(legacy).sign(claims);
    const ring = new ParticipantTokens({ legacySecret: legacy, keys: [k1], signingKeyId: 'k1' });
    expect(ring.verify(before, 1000)).toEqual({ ok: true, claims });
    const after = ring.sign(claims);
    expect(JSON.parse(Buffer.from(after.split('.')[1], 'base64url').toString())).toMatchObject({ kid: 'k1' });
    expect(new ParticipantTokens({ keys: [k1], signingKeyId: 'k1' }).verify(after, 1000)).toEqual({ ok: true, claims });
  });

  it('accepts every configured key, signs with one, and refuses a removed key', () => {
    const old = new ParticipantTokens({ keys: [k1], signingKeyId: 'k1' }).sign(claims);
    const both = new ParticipantTokens({ keys: [k1, k2], signingKeyId: 'k2' });
    expect(both.verify(old, 1000).ok).toBe(true);
    const fresh = both.sign(claims);
    const onlyNew = new ParticipantTokens({ keys: [k2], signingKeyId: 'k2' });
    expect(onlyNew.verify(fresh, 1000).ok).toBe(true);
    expect(onlyNew.verify(old, 1000)).toEqual({ ok: false, reason: 'unknown-key' });
    expect(onlyNew.verify(new ParticipantTokens(legacy).sign(claims), 1000)).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('refuses a token whose key id was switched to another configured key', () => {
    const ring = new ParticipantTokens({ keys: [k1, k2], signingKeyId: 'k1' });
    const [v, payload, mac] = ring.sign(claims).split('.');
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const switched = Buffer.from(JSON.stringify({ ...body, kid: 'k2' })).toString('base64url');
    expect(ring.verify(`${v}.${switched}.${mac}`, 1000)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('builds the key ring from TOKEN_SECRETS entries, a secret may contain ":"', () => {
    const tokens = participantTokensFrom({ TOKEN_SECRET: '', TOKEN_SECRETS: [`k1:${'a:b'.repeat(11)}`], TOKEN_SIGNING_KEY_ID: 'k1' });
    expect(tokens.verify(tokens.sign(claims), 1000).ok).toBe(true);
    expect(() => participantTokensFrom({ TOKEN_SECRET: '', TOKEN_SECRETS: [], TOKEN_SIGNING_KEY_ID: '' })).toThrow();
  });
});
