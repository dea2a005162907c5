import { Tally } from '@app/domain';
import { TIERS, Tier } from '@app/events';
import { AsOf } from '../infrastructure/as-of';
import { ReadModels } from '../infrastructure/read-models';
import { TALLY_SQL_COLUMNS, emptyTierTallies, sumTallies, tallyFromRow } from '../infrastructure/tallies';
import { CONSULTATION_SQL_COLUMNS, ConsultationInfo, ConsultationRow, consultationFromRow } from './consultation';

export type ProposalStatus = 'pending' | 'accepted' | 'refused';

export interface ProposalRecord {
  readonly proposalId: string;
  readonly consultation: string;
  readonly text: string;
  /** Internal (never shown): lets the sequence skip a participant's own proposals. */
  readonly authorId: string;
  readonly authorTier: Tier;
  readonly firstName: string | null;
  readonly ageRange: string | null;
  readonly status: ProposalStatus;
  /** Accepted and within the author's quota: counts in results and is public. */
  readonly inResults: boolean;
  readonly submittedAt: string;
  readonly byTier: Readonly<Record<Tier, Tally>>;
  readonly overall: Tally;
}

export interface TierCounters {
  readonly participants: number;
  readonly proposalsSubmitted: number;
  readonly proposalsAccepted: number;
  readonly proposalsRefused: number;
  readonly votes: number;
}

/**
 * Everything the list, results and sequence endpoints need about one consultation, read from
 * the Postgres read models in one REPEATABLE READ snapshot together with the log positions it
 * reflects. It holds tallies (never votes): about 1 KB per proposal. `memo` caches values derived
 * from the snapshot (sorted orders, results) for as long as the snapshot is served.
 */
export interface ConsultationSnapshot {
  readonly consultation: ConsultationInfo;
  readonly proposals: readonly ProposalRecord[];
  readonly counters: Readonly<Record<Tier, TierCounters>>;
  readonly asOf: AsOf;
  readonly memo: Map<string, unknown>;
}

export const memoize = <T>(snapshot: ConsultationSnapshot, key: string, compute: () => T): T => {
  if (!snapshot.memo.has(key)) snapshot.memo.set(key, compute());
  return snapshot.memo.get(key) as T;
};

interface ProposalRow {
  id: string;
  author_id: string;
  text: string;
  author_tier: Tier;
  status: ProposalStatus;
  in_results: boolean;
  submitted_ms: string;
  first_name: string | null;
  age_range: string | null;
}

const zeroCounters = (): TierCounters => ({ participants: 0, proposalsSubmitted: 0, proposalsAccepted: 0, proposalsRefused: 0, votes: 0 });

/** Loads a consultation's snapshot, or null when the consultation is unknown. */
export const loadConsultationSnapshot = (models: ReadModels, slug: string): Promise<ConsultationSnapshot | null> =>
  models.snapshot(async (client, asOf) => {
    const found = await client.query<ConsultationRow>(`SELECT ${CONSULTATION_SQL_COLUMNS} FROM ${models.t('consultations')} WHERE slug = $1`, [slug]);
    if (found.rows.length === 0) return null;
    const proposals = await client.query<ProposalRow>(
      `SELECT p.proposal_id::text AS id, p.author_id::text AS author_id, p.text, p.author_tier, p.status, p.in_results,
              (extract(epoch FROM p.submitted_at) * 1000)::bigint::text AS submitted_ms,
              a.first_name, a.age_range
       FROM ${models.t('proposals')} p
       LEFT JOIN ${models.t('participants')} a ON a.participant_id = p.author_id
       WHERE p.consultation = $1`,
      [slug],
    );
    const tallies = await client.query<Record<string, unknown>>(
      `SELECT t.proposal_id::text AS id, t.tier, ${TALLY_SQL_COLUMNS.map((c) => `t.${c}`).join(', ')}
       FROM ${models.t('tallies')} t JOIN ${models.t('proposals')} p ON p.proposal_id = t.proposal_id
       WHERE p.consultation = $1`,
      [slug],
    );
    const counters = await client.query<{ tier: Tier; participants: number; proposals_submitted: number; proposals_accepted: number; proposals_refused: number; votes: number }>(
      `SELECT tier, participants, proposals_submitted, proposals_accepted, proposals_refused, votes
       FROM ${models.t('consultation_counters')} WHERE consultation = $1`,
      [slug],
    );
    const byProposal = new Map<string, Record<Tier, Tally>>();
    for (const row of tallies.rows) {
      const id = String(row.id);
      const tiers = byProposal.get(id) ?? emptyTierTallies();
      tiers[row.tier as Tier] = tallyFromRow(row);
      byProposal.set(id, tiers);
    }
    const counterByTier = Object.fromEntries(TIERS.map((tier) => [tier, zeroCounters()])) as Record<Tier, TierCounters>;
    for (const row of counters.rows) {
      counterByTier[row.tier] = {
        participants: row.participants,
        proposalsSubmitted: row.proposals_submitted,
        proposalsAccepted: row.proposals_accepted,
        proposalsRefused: row.proposals_refused,
        votes: row.votes,
      };
    }
    return {
      consultation: consultationFromRow(found.rows[0]),
      proposals: proposals.rows.map((row): ProposalRecord => {
        const byTier = byProposal.get(row.id) ?? emptyTierTallies();
        return {
          proposalId: row.id,
          consultation: slug,
          text: row.text,
          authorId: row.author_id,
          authorTier: row.author_tier,
          firstName: row.first_name,
          ageRange: row.age_range,
          status: row.status,
          inResults: row.in_results,
          submittedAt: new Date(Number(row.submitted_ms)).toISOString(),
          byTier,
          overall: sumTallies(byTier),
        };
      }),
      counters: counterByTier,
      asOf,
      memo: new Map(),
    };
  });
