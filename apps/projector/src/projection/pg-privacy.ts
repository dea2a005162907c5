import { ParticipantErased, ProposalEvent } from '@app/events';
import { PoolClient } from 'pg';

/**
 * Privacy in the Postgres read models (docs/privacy.md):
 * - ParticipantErased clears what was decrypted at registration and destroys the key if it is
 *   still there. A replay of the registration then stores NULLs too: nothing comes back.
 * - A refusal with the reason code `personal-data` empties the proposal's text for good (a later
 *   acceptance, only possible through a race of two moderators, does not bring it back).
 * - Every moderation event (accept, refuse, a moderator's erasure) lands in the audit trail.
 * Each statement is idempotent, so a redelivered batch changes nothing.
 */
export const eraseParticipants = async (
  client: PoolClient,
  schema: string,
  keystoreTable: string,
  events: readonly ParticipantErased[],
): Promise<void> => {
  if (events.length === 0) return;
  const ids = [...new Set(events.map((e) => e.data.participantId.toLowerCase()))].sort();
  // The ingest destroyed the key before appending the event, so this changes nothing, except
  // after a restore whose key store predates erasures the log holds (docs/privacy.md "Backups"):
  // replaying the log then destroys those keys again.
  await client.query(
    `UPDATE ${keystoreTable} SET key = NULL, destroyed_at = coalesce(destroyed_at, now()),
       erasure_logged_at = coalesce(erasure_logged_at, now()), erased_by = coalesce(erased_by, 'log')
     WHERE participant_id = ANY($1::uuid[]) AND key IS NOT NULL`,
    [ids],
  );
  await client.query(
    `UPDATE ${schema}.participants
     SET first_name = NULL, age_range = NULL,
         personal_status = CASE WHEN personal_status = 'absent' THEN 'absent' ELSE 'erased' END
     WHERE participant_id = ANY($1::uuid[])`,
    [ids],
  );
};

export const scrubRefusedTexts = async (client: PoolClient, schema: string, events: readonly ProposalEvent[]): Promise<void> => {
  const ids = [
    ...new Set(events.flatMap((e) => (e.type === 'ProposalRefused' && e.data.reasonCode === 'personal-data' ? [e.data.proposalId.toLowerCase()] : []))),
  ].sort();
  if (ids.length === 0) return;
  await client.query(`UPDATE ${schema}.proposals SET text = '', text_erased = true WHERE proposal_id = ANY($1::uuid[])`, [ids]);
};

interface AuditRow {
  eventId: string;
  action: 'accept' | 'refuse' | 'erase-personal-data';
  moderator: string;
  consultation: string | null;
  proposalId: string | null;
  participantId: string | null;
  reasonCode: string | null;
  reason: string | null;
  occurredAt: string;
}

export const recordModeration = async (
  client: PoolClient,
  schema: string,
  proposals: readonly ProposalEvent[],
  erasures: readonly ParticipantErased[],
): Promise<void> => {
  const rows: AuditRow[] = [];
  for (const e of proposals) {
    if (e.type === 'ProposalAccepted' || e.type === 'ProposalRefused') {
      rows.push({
        eventId: e.eventId,
        action: e.type === 'ProposalAccepted' ? 'accept' : 'refuse',
        moderator: e.data.moderator,
        consultation: e.data.consultation,
        proposalId: e.data.proposalId.toLowerCase(),
        participantId: null,
        reasonCode: e.type === 'ProposalRefused' ? e.data.reasonCode : null,
        reason: e.type === 'ProposalRefused' ? e.data.reason : null,
        occurredAt: e.occurredAt,
      });
    }
  }
  for (const e of erasures) {
    if (e.data.requestedBy !== 'moderator' || e.data.moderator === undefined) continue;
    rows.push({
      eventId: e.eventId,
      action: 'erase-personal-data',
      moderator: e.data.moderator,
      consultation: null,
      proposalId: null,
      participantId: e.data.participantId.toLowerCase(),
      reasonCode: null,
      reason: null,
      occurredAt: e.occurredAt,
    });
  }
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ${schema}.moderation_actions (event_id, action, moderator, consultation, proposal_id, participant_id, reason_code, reason, occurred_at)
     SELECT id, a, m, c, p, pa, rc, r, t::timestamptz
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[])
       AS u (id, a, m, c, p, pa, rc, r, t)
     ON CONFLICT (event_id) DO NOTHING`,
    [
      rows.map((r) => r.eventId),
      rows.map((r) => r.action),
      rows.map((r) => r.moderator),
      rows.map((r) => r.consultation),
      rows.map((r) => r.proposalId),
      rows.map((r) => r.participantId),
      rows.map((r) => r.reasonCode),
      rows.map((r) => r.reason),
      rows.map((r) => r.occurredAt),
    ],
  );
};
