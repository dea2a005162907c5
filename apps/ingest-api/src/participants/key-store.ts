import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * Per-participant keys (crypto-shredding). Insert-or-get, so a retried registration (same
 * participant id, derived from its Idempotency-Key) seals with the same key.
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
    if (!key) throw new Error(`the key of participant ${participantId} was destroyed (erased participant)`);
    return key;
  }
}
