import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { problem } from '@app/http';

/** An erasure whose key is destroyed but whose ParticipantErased the log has not acknowledged. */
export interface UnloggedErasure {
  readonly participantId: string;
  readonly erasedBy: string;
}

/**
 * Per-participant keys (crypto-shredding). Insert-or-get, so a retried registration (same
 * participant id, derived from its Idempotency-Key) seals with the same key.
 *
 * Erasure destroys the key first and records when ParticipantErased was acknowledged
 * (docs/privacy.md "Erasure, step by step"): no acknowledged erasure can leave the key alive, and
 * an erasure interrupted between the two steps is found again by `unloggedErasures`.
 */
export class KeyStore {
  constructor(private readonly pool: Pool) {}

  async keyFor(participantId: string): Promise<Buffer> {
    const result = await this.pool.query<{ key: Buffer | null }>(
      `INSERT INTO keystore.participant_keys (participant_id, key) VALUES ($1, $2)
       ON CONFLICT (participant_id) DO UPDATE SET participant_id = EXCLUDED.participant_id
       RETURNING key`,
      [participantId, randomBytes(32)],
    );
    const key = result.rows[0]?.key;
    if (!key) throw problem(410, 'participant-erased', 'This participant\'s personal data was erased; register again without this Idempotency-Key.');
    return key;
  }

  /**
   * Destroys the participant's key (or leaves a tombstone when there was none, so no later
   * registration retry can create one). Idempotent. `alreadyLogged`: an earlier erasure was
   * already acknowledged by the log.
   */
  async destroy(participantId: string, erasedBy: string): Promise<{ alreadyLogged: boolean }> {
    const result = await this.pool.query<{ logged: boolean }>(
      `INSERT INTO keystore.participant_keys AS k (participant_id, key, destroyed_at, erased_by) VALUES ($1, NULL, now(), $2)
       ON CONFLICT (participant_id) DO UPDATE
         SET key = NULL, destroyed_at = coalesce(k.destroyed_at, now()), erased_by = coalesce(k.erased_by, EXCLUDED.erased_by)
       RETURNING erasure_logged_at IS NOT NULL AS logged`,
      [participantId, erasedBy],
    );
    return { alreadyLogged: result.rows[0]?.logged === true };
  }

  async markLogged(participantId: string): Promise<void> {
    await this.pool.query(
      `UPDATE keystore.participant_keys SET erasure_logged_at = coalesce(erasure_logged_at, now()) WHERE participant_id = $1`,
      [participantId],
    );
  }

  /** Erasures destroyed at least `olderThanMs` ago whose event was never acknowledged. */
  async unloggedErasures(olderThanMs: number, limit = 500): Promise<UnloggedErasure[]> {
    const result = await this.pool.query<{ id: string; erased_by: string | null }>(
      `SELECT participant_id::text AS id, erased_by FROM keystore.participant_keys
       WHERE destroyed_at IS NOT NULL AND erasure_logged_at IS NULL AND destroyed_at < now() - $1 * interval '1 millisecond'
       ORDER BY destroyed_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return result.rows.map((r) => ({ participantId: r.id, erasedBy: r.erased_by ?? 'participant' }));
  }
}
