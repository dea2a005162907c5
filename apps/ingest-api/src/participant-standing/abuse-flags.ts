import type { Pool } from 'pg';

export type FlagStatus = 'open' | 'dismissed' | 'actioned';
export const FLAG_STATUSES: readonly FlagStatus[] = ['open', 'dismissed', 'actioned'];
export const FLAG_RULES = ['registration-burst', 'identical-votes', 'inhuman-vote-rate'] as const;

export interface FlagView {
  readonly flagId: string;
  readonly participantId: string;
  readonly rule: string;
  readonly groupKey: string;
  readonly evidence: unknown;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly status: FlagStatus;
  readonly reviewedBy: string | null;
  readonly reviewedAt: string | null;
  readonly reviewNote: string | null;
  /** The participant's standing as the projector last applied it (null: never disqualified). */
  readonly disqualified: boolean | null;
}

interface FlagRow {
  flag_id: string;
  participant_id: string;
  rule: string;
  group_key: string;
  evidence: unknown;
  first_seen_ms: string;
  last_seen_at: Date;
  status: FlagStatus;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  review_note: string | null;
  disqualified: boolean | null;
}

export interface FlagQuery {
  readonly status?: FlagStatus;
  readonly rule?: string;
  readonly groupKey?: string;
  readonly limit: number;
  /** Keyset position: first_seen_at in ms, then flag id. */
  readonly after?: { readonly ms: number; readonly flagId: string };
}

/**
 * The abuse flags written by `npm run abuse:scan` (table abuse.flags, docs/abuse.md) as moderators
 * review them. Flags are advisory: only a ParticipantDisqualified event changes what counts.
 */
export class AbuseFlags {
  constructor(
    private readonly pool: Pool,
    private readonly readModelSchema: string,
  ) {}

  async list(query: FlagQuery): Promise<{ items: FlagView[]; next: { ms: number; flagId: string } | null }> {
    const rows = await this.pool.query<FlagRow>(
      `SELECT f.flag_id::text AS flag_id, f.participant_id::text AS participant_id, f.rule, f.group_key, f.evidence,
              (extract(epoch FROM f.first_seen_at) * 1000)::bigint::text AS first_seen_ms, f.last_seen_at, f.status,
              f.reviewed_by, f.reviewed_at, f.review_note, s.disqualified
       FROM abuse.flags f
       LEFT JOIN ${this.readModelSchema}.participant_standing s ON s.participant_id = f.participant_id
       WHERE ($1::text IS NULL OR f.status = $1) AND ($2::text IS NULL OR f.rule = $2) AND ($3::text IS NULL OR f.group_key = $3)
         AND ($4::bigint IS NULL OR (f.first_seen_at, f.flag_id) > ('epoch'::timestamptz + $4 * interval '1 millisecond', $5::uuid))
       ORDER BY f.first_seen_at, f.flag_id
       LIMIT $6`,
      [query.status ?? null, query.rule ?? null, query.groupKey ?? null, query.after ? String(query.after.ms) : null, query.after?.flagId ?? null, query.limit + 1],
    );
    const page = rows.rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toView),
      next: rows.rows.length > query.limit && last ? { ms: Number(last.first_seen_ms), flagId: last.flag_id } : null,
    };
  }

  /** Marks one flag reviewed; null when no flag has this id. */
  async review(flagId: string, status: 'dismissed' | 'open', moderator: string, note: string | undefined): Promise<FlagStatus | null> {
    const result = await this.pool.query<{ status: FlagStatus }>(
      `UPDATE abuse.flags SET status = $2, reviewed_by = $3, reviewed_at = now(), review_note = $4 WHERE flag_id = $1 RETURNING status`,
      [flagId, status, moderator, note ?? null],
    );
    return result.rows[0]?.status ?? null;
  }

  /** After a disqualification (actioned) or a requalification (dismissed): every flag of the participant. */
  async closeFor(participantId: string, status: 'actioned' | 'dismissed', moderator: string, note: string): Promise<void> {
    await this.pool.query(
      `UPDATE abuse.flags SET status = $2, reviewed_by = $3, reviewed_at = now(), review_note = $4
       WHERE participant_id = $1 AND status <> $2`,
      [participantId, status, moderator, note],
    );
  }
}

const toView = (r: FlagRow): FlagView => ({
  flagId: r.flag_id,
  participantId: r.participant_id,
  rule: r.rule,
  groupKey: r.group_key,
  evidence: r.evidence,
  firstSeenAt: new Date(Number(r.first_seen_ms)).toISOString(),
  lastSeenAt: r.last_seen_at.toISOString(),
  status: r.status,
  reviewedBy: r.reviewed_by,
  reviewedAt: r.reviewed_at ? r.reviewed_at.toISOString() : null,
  reviewNote: r.review_note,
  disqualified: r.disqualified,
});
