import { ModeratorTokens } from './moderator-tokens';
import { ParticipantTokens } from './participant-token';

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
