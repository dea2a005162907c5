import { createHmac, timingSafeEqual } from 'node:crypto';
import { Tier, isTier } from '@app/events';

/** What a participant token proves: who, which tier (decided at registration), until when. */
export interface ParticipantClaims {
  readonly participantId: string;
  readonly tier: Tier;
  /** Expiry, epoch seconds. */
  readonly exp: number;
}

export type TokenCheck =
  | { ok: true; claims: ParticipantClaims }
  | { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'expired' };

/** A named signing key (TOKEN_SECRETS entry `id:secret`). */
export interface TokenKey {
  readonly id: string;
  readonly secret: string;
}

/**
 * The keys a process accepts and the one it signs with (docs/security.md "Key rotation").
 * `legacySecret` (TOKEN_SECRET) checks tokens without a key id, i.e. every token signed before
 * key ids existed; `keys` (TOKEN_SECRETS) check tokens naming one of them. New tokens are signed
 * with `signingKeyId`, or with the legacy secret when no key id is configured.
 */
export interface TokenKeyRing {
  readonly legacySecret?: string;
  readonly keys: readonly TokenKey[];
  readonly signingKeyId?: string;
}

export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

const b64 = (buffer: Buffer): string => buffer.toString('base64url');

/**
 * Opaque to clients: `p1.<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`, checked without any
 * database round trip. The claims carry `kid` when a named key signed them; tokens without it
 * are those of the single TOKEN_SECRET, so tokens issued before rotation existed stay valid and
 * a process that only knows TOKEN_SECRET still reads the tokens it signs. The signature covers
 * the key id, and is compared in constant time (timingSafeEqual on equal-length MACs).
 */
export class ParticipantTokens {
  private readonly legacy?: Buffer;
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly signing: { readonly kid?: string; readonly secret: Buffer };

  /** A single secret (TOKEN_SECRET), or a key ring. */
  constructor(secretOrRing: string | TokenKeyRing) {
    const ring: TokenKeyRing = typeof secretOrRing === 'string' ? { legacySecret: secretOrRing, keys: [] } : secretOrRing;
    this.legacy = ring.legacySecret ? Buffer.from(ring.legacySecret, 'utf8') : undefined;
    this.keys = new Map(ring.keys.map((key) => [key.id, Buffer.from(key.secret, 'utf8')]));
    for (const id of this.keys.keys()) if (!KEY_ID.test(id)) throw new Error(`token key id ${JSON.stringify(id)} must match ${KEY_ID}`);
    if (ring.signingKeyId !== undefined) {
      const secret = this.keys.get(ring.signingKeyId);
      if (!secret) throw new Error(`TOKEN_SIGNING_KEY_ID ${ring.signingKeyId} is not one of TOKEN_SECRETS`);
      this.signing = { kid: ring.signingKeyId, secret };
    } else if (this.legacy) {
      this.signing = { secret: this.legacy };
    } else {
      throw new Error('participant tokens need TOKEN_SECRET or TOKEN_SECRETS with TOKEN_SIGNING_KEY_ID');
    }
  }

  sign(claims: ParticipantClaims): string {
    const body: Record<string, unknown> = { pid: claims.participantId, tier: claims.tier, exp: claims.exp };
    if (this.signing.kid !== undefined) body.kid = this.signing.kid;
    const payload = b64(Buffer.from(JSON.stringify(body)));
    return `p1.${payload}.${b64(this.mac(this.signing.secret, payload))}`;
  }

  verify(token: string, nowSeconds: number): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'p1' || parts[1].length > 512 || parts[2].length > 64) return { ok: false, reason: 'malformed' };
    // The payload is read before the signature is checked only to learn which key to check it
    // with; nothing in it is trusted until the MAC matched.
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof raw !== 'object' || raw === null) return { ok: false, reason: 'malformed' };
    const { pid, tier, exp, kid } = raw as Record<string, unknown>;
    if (kid !== undefined && typeof kid !== 'string') return { ok: false, reason: 'malformed' };
    const secret = kid === undefined ? this.legacy : this.keys.get(kid);
    if (!secret) return { ok: false, reason: 'unknown-key' };
    const given = Buffer.from(parts[2], 'base64url');
    const expected = this.mac(secret, parts[1]);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
    if (typeof pid !== 'string' || !isTier(tier) || typeof exp !== 'number') return { ok: false, reason: 'malformed' };
    if (exp <= nowSeconds) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { participantId: pid, tier, exp } };
  }

  private mac(secret: Buffer, payload: string): Buffer {
    return createHmac('sha256', secret).update(payload).digest();
  }
}

/** The token settings every API reads (CommonConfig), by name so this lib imports no config. */
export interface TokenSettings {
  readonly TOKEN_SECRET: string;
  readonly TOKEN_SECRETS: readonly string[];
  readonly TOKEN_SIGNING_KEY_ID: string;
}

/** `kid:secret` entries of TOKEN_SECRETS (the secret may itself contain `:`). */
export const parseTokenKeys = (entries: readonly string[]): TokenKey[] =>
  entries.map((entry) => {
    const separator = entry.indexOf(':');
    return { id: entry.slice(0, separator), secret: entry.slice(separator + 1) };
  });

export const participantTokensFrom = (settings: TokenSettings): ParticipantTokens =>
  new ParticipantTokens({
    legacySecret: settings.TOKEN_SECRET || undefined,
    keys: parseTokenKeys(settings.TOKEN_SECRETS),
    signingKeyId: settings.TOKEN_SIGNING_KEY_ID || undefined,
  });
