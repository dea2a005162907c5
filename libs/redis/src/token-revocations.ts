import type Redis from 'ioredis';

/** Where a participant's revocation lives: read by both APIs (same REDIS_PREFIX), written by the ingest. */
export const revocationKey = (prefix: string, participantId: string): string => `${prefix}revoked:${participantId}`;

export interface Revocation {
  readonly participantId: string;
  readonly revokedAt: string;
  /** The moderator who revoked (audit). */
  readonly revokedBy: string;
  /** When the entry is dropped: by then every token revoked by it has expired. */
  readonly expiresAt: string;
}

/**
 * Revoked participant tokens (docs/security.md "Revocation"): one key per participant, kept as
 * long as a token issued before the revocation can live. Every token of that participant is
 * refused with 401 token-revoked while the key exists.
 */
export class TokenRevocations {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** `ttlSeconds`: at least the longest lifetime of a participant token. */
  async revoke(participantId: string, by: string, at: Date, ttlSeconds: number): Promise<Revocation> {
    const revocation: Revocation = {
      participantId,
      revokedAt: at.toISOString(),
      revokedBy: by,
      expiresAt: new Date(at.getTime() + ttlSeconds * 1000).toISOString(),
    };
    await this.redis.set(revocationKey(this.prefix, participantId), JSON.stringify(revocation), 'EX', ttlSeconds);
    return revocation;
  }

  async isRevoked(participantId: string): Promise<boolean> {
    return (await this.redis.exists(revocationKey(this.prefix, participantId))) === 1;
  }
}
