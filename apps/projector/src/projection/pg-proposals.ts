import { ProposalEvent, Tier } from '@app/events';
import { PoolClient } from 'pg';
import { ProposalCounterDelta, ProposalFold, ProposalMember, ProposalRow, ProposalStatus } from './proposal-fold';

interface StoredProposal {
  id: string;
  consultation: string;
  author_id: string;
  author_tier: Tier;
  status: ProposalStatus;
  within_quota: boolean;
  submitted_ms: string;
  accepted_at: string | null;
  refused_at: string | null;
  moderator: string | null;
  refusal_reason: string | null;
}

export interface ProposalStepResult {
  readonly counters: readonly ProposalCounterDelta[];
  readonly members: readonly ProposalMember[];
}

/**
 * Proposals of a batch: load the rows concerned, fold in memory (proposal-fold.ts), write the
 * inserted and changed rows with one statement each. Submitting authors are locked (advisory,
 * transaction-scoped, in a fixed order) because their submissions sit on several partitions,
 * which concurrent projector instances may apply at the same time: the quota needs them all.
 */
export const applyProposals = async (
  client: PoolClient,
  schema: string,
  events: readonly ProposalEvent[],
): Promise<ProposalStepResult> => {
  if (events.length === 0) return { counters: [], members: [] };
  const ids = [...new Set(events.map((e) => e.data.proposalId.toLowerCase()))];
  const authors = new Map<string, { consultation: string; authorId: string }>();
  for (const event of events) {
    if (event.type !== 'ProposalSubmitted') continue;
    const authorId = event.data.authorId.toLowerCase();
    authors.set(`${event.data.consultation}/${authorId}`, { consultation: event.data.consultation, authorId });
  }
  const authorConsultations = [...authors.values()].map((a) => a.consultation);
  const authorIds = [...authors.values()].map((a) => a.authorId);
  if (authors.size > 0) {
    await client.query(
      `SELECT pg_advisory_xact_lock(k) FROM (
         SELECT DISTINCT hashtextextended(c || '/' || a, 727275) AS k FROM unnest($1::text[], $2::text[]) AS u (c, a)
         ORDER BY 1) AS locks`,
      [authorConsultations, authorIds],
    );
  }
  const stored = await client.query<StoredProposal>(
    `SELECT proposal_id::text AS id, consultation, author_id::text AS author_id, author_tier, status, within_quota,
            (extract(epoch FROM submitted_at) * 1000)::bigint::text AS submitted_ms,
            accepted_at::text AS accepted_at, refused_at::text AS refused_at, moderator, refusal_reason
     FROM ${schema}.proposals
     WHERE proposal_id = ANY($1::uuid[])
        OR (consultation, author_id) IN (SELECT c, a FROM unnest($2::text[], $3::uuid[]) AS u (c, a))`,
    [ids, authorConsultations, authorIds],
  );
  const fold = new ProposalFold(stored.rows.map(toRow));
  for (const event of events) fold.apply(event);

  const inserted = fold.insertedRows().sort((a, b) => (a.proposalId < b.proposalId ? -1 : 1));
  if (inserted.length > 0) {
    await client.query(
      `INSERT INTO ${schema}.proposals (proposal_id, consultation, author_id, author_tier, text, status, within_quota,
         submitted_at, accepted_at, refused_at, moderator, refusal_reason)
       SELECT id, c, a, t, x, s, w, 'epoch'::timestamptz + ms * interval '1 millisecond', aa::timestamptz, ra::timestamptz, m, r
       FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::bigint[],
                   $9::text[], $10::text[], $11::text[], $12::text[])
         AS u (id, c, a, t, x, s, w, ms, aa, ra, m, r)`,
      [
        inserted.map((r) => r.proposalId),
        inserted.map((r) => r.consultation),
        inserted.map((r) => r.authorId),
        inserted.map((r) => r.authorTier),
        inserted.map((r) => r.text ?? ''),
        ...mutableColumns(inserted),
      ],
    );
  }
  const updated = fold.updatedRows().sort((a, b) => (a.proposalId < b.proposalId ? -1 : 1));
  if (updated.length > 0) {
    await client.query(
      `UPDATE ${schema}.proposals p
       SET status = u.s, within_quota = u.w, accepted_at = u.aa::timestamptz, refused_at = u.ra::timestamptz,
           moderator = u.m, refusal_reason = u.r
       FROM unnest($1::uuid[], $2::text[], $3::bool[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
         AS u (id, s, w, ms, aa, ra, m, r)
       WHERE p.proposal_id = u.id`,
      [updated.map((r) => r.proposalId), ...mutableColumns(updated)],
    );
  }
  return { counters: fold.counterDeltas(), members: fold.members };
};

const mutableColumns = (rows: readonly ProposalRow[]): unknown[][] => [
  rows.map((r) => r.status),
  rows.map((r) => r.withinQuota),
  rows.map((r) => String(r.submittedMs)),
  rows.map((r) => r.acceptedAt),
  rows.map((r) => r.refusedAt),
  rows.map((r) => r.moderator),
  rows.map((r) => r.refusalReason),
];

const toRow = (row: StoredProposal): ProposalRow => ({
  proposalId: row.id,
  consultation: row.consultation,
  authorId: row.author_id,
  authorTier: row.author_tier,
  status: row.status,
  withinQuota: row.within_quota,
  submittedMs: Number(row.submitted_ms),
  acceptedAt: row.accepted_at,
  refusedAt: row.refused_at,
  moderator: row.moderator,
  refusalReason: row.refusal_reason,
});
