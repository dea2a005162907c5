import { createHash, timingSafeEqual } from 'node:crypto';

interface Moderator {
  readonly name: string;
  readonly digest: Buffer;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Moderator/admin tokens from MODERATOR_TOKENS. Comparison is on SHA-256 digests (equal length)
 * with timingSafeEqual against every configured token, so timing reveals neither which token
 * nor how much of it matched.
 */
export class ModeratorTokens {
  private readonly moderators: readonly Moderator[];

  constructor(entries: readonly string[]) {
    this.moderators = entries.map((entry) => {
      const separator = entry.indexOf(':');
      const token = separator > 0 ? entry.slice(separator + 1) : entry;
      const name = separator > 0 ? entry.slice(0, separator) : `moderator-${sha256(token).toString('hex').slice(0, 8)}`;
      return { name, digest: sha256(token) };
    });
  }

  /** The moderator's name for the audit trail, or undefined when the token is not a moderator's. */
  identify(token: string): string | undefined {
    const digest = sha256(token);
    let found: string | undefined;
    for (const moderator of this.moderators) {
      if (timingSafeEqual(digest, moderator.digest)) found = moderator.name;
    }
    return found;
  }
}
