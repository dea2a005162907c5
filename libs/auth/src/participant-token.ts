import { createHmac, timingSafeEqual } from 'node:crypto';
import { Tier, isTier } from '@app/events';

/** What a participant token proves: who, which tier (decided at registration), until when. */
export interface ParticipantClaims {
  readonly participantId: string;
  readonly tier: Tier;
  /** Expiry, epoch seconds. */
  readonly exp: number;
}

export type TokenCheck = { ok: true; claims: ParticipantClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

const b64 = (buffer: Buffer): string => buffer.toString('base64url');

/**
 * Opaque to clients: `p1.<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`, signed with
 * TOKEN_SECRET (shared by both APIs) and checked without any database round trip.
 */
export class ParticipantTokens {
  private readonly secret: Buffer;

  constructor(secret: string) {
    this.secret = Buffer.from(secret, 'utf8');
  }

  sign(claims: ParticipantClaims): string {
    const payload = b64(Buffer.from(JSON.stringify({ pid: claims.participantId, tier: claims.tier, exp: claims.exp })));
    return `p1.${payload}.${b64(this.mac(payload))}`;
  }

  verify(token: string, nowSeconds: number): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'p1' || parts[1].length > 512) return { ok: false, reason: 'malformed' };
    const given = Buffer.from(parts[2], 'base64url');
    const expected = this.mac(parts[1]);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const { pid, tier, exp } = (raw ?? {}) as Record<string, unknown>;
    if (typeof pid !== 'string' || !isTier(tier) || typeof exp !== 'number') return { ok: false, reason: 'malformed' };
    if (exp <= nowSeconds) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { participantId: pid, tier, exp } };
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.secret).update(payload).digest();
  }
}
