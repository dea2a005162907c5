import { ParticipantStandingEvent, Qualification, Tier, VoteValue } from '@app/events';
import { PoolClient } from 'pg';
import { TallyVector, addVote, emptyTally } from './tally-vector';

/**
 * Disqualification and requalification (docs/abuse.md) in the Postgres read models.
 *
 * Invariant kept by every batch: tallies, `votes` and `participants` counters count exactly the
 * current votes and memberships of participants who are not disqualified. A participant's
 * standing changes only here; when it flips, their stored current votes and memberships leave
 * (or re-enter) the counts; votes and memberships written later in the same batch are counted
 * or not by the final standing (pg-votes.ts, postgres-projection.ts). Whatever the interleaving
 * of the participants and votes topics, the counts therefore end equal to the recount's
 * "current votes of participants whose last standing event is not a disqualification".
 *
 * Concurrency: another instance may apply the same participant's votes (votes topic) while this
 * one applies their disqualification (participants topic). Every batch that touches votes or
 * memberships takes a shared transaction-scoped advisory lock; a batch that changes standing
 * takes it exclusively. Standing changes are rare; vote batches never wait for each other.
 * The lock is taken before the proposals step's author locks, always in that order.
 */
export interface StandingStep {
  /** Participants of the batch (standing events, voters, authors) disqualified at its end. */
  readonly excluded: ReadonlySet<string>;
  /** Tally deltas of votes leaving or re-entering the counts, `${proposalId}/${tier}`. */
  readonly tallies: Map<string, TallyVector>;
  readonly votes: readonly { consultation: string; tier: Tier; votes: number }[];
  readonly participants: readonly { consultation: string; tier: Tier; participants: number }[];
}

interface Decision {
  disqualified: boolean;
  moderator: string;
  reason: string;
  flagIds: readonly string[];
  changedAt: string;
}

const LOCK_NAMESPACE = 727276;

export const applyStanding = async (
  client: PoolClient,
  schema: string,
  events: readonly ParticipantStandingEvent[],
  involved: readonly string[],
): Promise<StandingStep> => {
  const tallies = new Map<string, TallyVector>();
  const ids = [...new Set([...events.map((e) => e.data.participantId.toLowerCase()), ...involved.map((id) => id.toLowerCase())])].sort();
  if (ids.length === 0) return { excluded: new Set(), tallies, votes: [], participants: [] };
  const lock = events.length > 0 ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
  await client.query(`SELECT ${lock}(hashtextextended($1, ${LOCK_NAMESPACE}))`, [`${schema}/standing`]);

  const stored = await client.query<{ id: string }>(
    `SELECT participant_id::text AS id FROM ${schema}.participant_standing WHERE participant_id = ANY($1::uuid[]) AND disqualified`,
    [ids],
  );
  const excluded = new Set(stored.rows.map((r) => r.id));
  const before = new Set(excluded);

  // Status-based and idempotent: disqualifying a disqualified participant changes nothing.
  const decisions = new Map<string, Decision>();
  for (const event of events) {
    const id = event.data.participantId.toLowerCase();
    const disqualified = event.type === 'ParticipantDisqualified';
    if (excluded.has(id) === disqualified) continue;
    if (disqualified) excluded.add(id);
    else excluded.delete(id);
    decisions.set(id, { disqualified, moderator: event.data.moderator, reason: event.data.reason, flagIds: event.data.flagIds, changedAt: event.occurredAt });
  }
  if (decisions.size === 0) return { excluded, tallies, votes: [], participants: [] };

  const rows = [...decisions.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  await client.query(
    `INSERT INTO ${schema}.participant_standing (participant_id, disqualified, moderator, reason, flag_ids, changed_at)
     SELECT id, d, m, r, CASE WHEN f = '' THEN '{}'::uuid[] ELSE string_to_array(f, ',')::uuid[] END, c::timestamptz
     FROM unnest($1::uuid[], $2::bool[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u (id, d, m, r, f, c)
     ON CONFLICT (participant_id) DO UPDATE SET disqualified = excluded.disqualified, moderator = excluded.moderator,
       reason = excluded.reason, flag_ids = excluded.flag_ids, changed_at = excluded.changed_at`,
    [
      rows.map(([id]) => id),
      rows.map(([, d]) => d.disqualified),
      rows.map(([, d]) => d.moderator),
      rows.map(([, d]) => d.reason),
      rows.map(([, d]) => d.flagIds.join(',')),
      rows.map(([, d]) => d.changedAt),
    ],
  );

  // Only a net change of standing over the batch moves counts (out, then back in, is nothing).
  const flipped = ids.filter((id) => before.has(id) !== excluded.has(id));
  if (flipped.length === 0) return { excluded, tallies, votes: [], participants: [] };
  const sign = (id: string): 1 | -1 => (excluded.has(id) ? -1 : 1);

  const votes = await client.query<{ id: string; proposal_id: string; consultation: string; voter_tier: Tier; value: VoteValue; qualifications: Qualification[] }>(
    `SELECT participant_id::text AS id, proposal_id::text AS proposal_id, consultation, voter_tier, value, qualifications
     FROM ${schema}.current_votes WHERE participant_id = ANY($1::uuid[]) AND value IS NOT NULL`,
    [flipped],
  );
  const voteDeltas = new Map<string, { consultation: string; tier: Tier; votes: number }>();
  for (const v of votes.rows) {
    const key = `${v.proposal_id}/${v.voter_tier}`;
    let tally = tallies.get(key);
    if (!tally) {
      tally = emptyTally();
      tallies.set(key, tally);
    }
    addVote(tally, v.value, v.qualifications, sign(v.id));
    const counter = voteDeltas.get(`${v.consultation}/${v.voter_tier}`) ?? { consultation: v.consultation, tier: v.voter_tier, votes: 0 };
    counter.votes += sign(v.id);
    voteDeltas.set(`${v.consultation}/${v.voter_tier}`, counter);
  }

  const members = await client.query<{ id: string; consultation: string; tier: Tier }>(
    `SELECT participant_id::text AS id, consultation, tier FROM ${schema}.consultation_participants WHERE participant_id = ANY($1::uuid[])`,
    [flipped],
  );
  const memberDeltas = new Map<string, { consultation: string; tier: Tier; participants: number }>();
  for (const m of members.rows) {
    const counter = memberDeltas.get(`${m.consultation}/${m.tier}`) ?? { consultation: m.consultation, tier: m.tier, participants: 0 };
    counter.participants += sign(m.id);
    memberDeltas.set(`${m.consultation}/${m.tier}`, counter);
  }
  return { excluded, tallies, votes: [...voteDeltas.values()], participants: [...memberDeltas.values()] };
};
