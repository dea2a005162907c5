import { Qualification, Tier, VoteEvent, VoteValue } from '@app/events';
import { PoolClient } from 'pg';
import { incrementRows } from './pg-increments';
import { TALLY_COLUMNS, TALLY_FIELDS, TallyVector, addVote, emptyTally, isZero } from './tally-vector';
import { PairVote, foldVote } from './vote-fold';

interface StoredVote {
  participant_id: string;
  proposal_id: string;
  consultation: string;
  voter_tier: Tier;
  value: VoteValue | null;
  qualifications: Qualification[];
  recent_event_ids: string[];
  updated_at: string;
}

export interface VoteStepResult {
  /** Change of current votes per (consultation, tier). */
  readonly voteCounters: ReadonlyMap<string, { consultation: string; tier: Tier; votes: number }>;
  /** Everyone who cast a vote: they took part in the consultation. */
  readonly voters: readonly { consultation: string; participantId: string; tier: Tier }[];
}

/**
 * Votes of a batch: one SELECT of the pairs concerned, a fold in log order per pair in memory
 * (vote-fold.ts), then one upsert of the changed pairs and one of the tally increments.
 * Rows are written in key order so concurrent instances cannot deadlock on tallies.
 */
export const applyVotes = async (
  client: PoolClient,
  schema: string,
  events: readonly VoteEvent[],
  standing: { readonly excluded: ReadonlySet<string>; readonly tallies: Map<string, TallyVector> } = { excluded: new Set(), tallies: new Map() },
): Promise<VoteStepResult> => {
  const voters: { consultation: string; participantId: string; tier: Tier }[] = [];
  const voteCounters = new Map<string, { consultation: string; tier: Tier; votes: number }>();
  if (events.length === 0) {
    // Votes leaving or re-entering the counts with a standing change (pg-standing.ts).
    await incrementTallies(client, schema, standing.tallies);
    return { voteCounters, voters };
  }

  const byPair = new Map<string, VoteEvent[]>();
  for (const event of events) {
    const key = `${event.data.participantId.toLowerCase()}/${event.data.proposalId.toLowerCase()}`;
    const list = byPair.get(key);
    if (list) list.push(event);
    else byPair.set(key, [event]);
  }
  const pairs = [...byPair.keys()].sort();
  const stored = await client.query<StoredVote>(
    `SELECT v.participant_id::text AS participant_id, v.proposal_id::text AS proposal_id, v.consultation, v.voter_tier,
            v.value, v.qualifications, v.recent_event_ids::text[] AS recent_event_ids, v.updated_at::text AS updated_at
     FROM ${schema}.current_votes v
     JOIN unnest($1::uuid[], $2::uuid[]) AS k (p, q) ON v.participant_id = k.p AND v.proposal_id = k.q`,
    [pairs.map((k) => k.slice(0, 36)), pairs.map((k) => k.slice(37))],
  );
  const initial = new Map<string, PairVote>();
  for (const row of stored.rows) {
    initial.set(`${row.participant_id}/${row.proposal_id}`, {
      consultation: row.consultation,
      tier: row.voter_tier,
      value: row.value,
      qualifications: row.qualifications,
      recentEventIds: row.recent_event_ids,
      updatedAt: row.updated_at,
    });
  }

  const changed: { key: string; vote: PairVote }[] = [];
  // Starts with the standing step's deltas: one increment per batch keeps tally rows locked in key order.
  const tallies = standing.tallies;
  const tallyOf = (proposalId: string, tier: Tier): TallyVector => {
    const key = `${proposalId}/${tier}`;
    let tally = tallies.get(key);
    if (!tally) {
      tally = emptyTally();
      tallies.set(key, tally);
    }
    return tally;
  };
  const countVote = (vote: PairVote, sign: 1 | -1): void => {
    const key = `${vote.consultation}/${vote.tier}`;
    const counter = voteCounters.get(key) ?? { consultation: vote.consultation, tier: vote.tier, votes: 0 };
    counter.votes += sign;
    voteCounters.set(key, counter);
  };
  for (const key of pairs) {
    const before = initial.get(key);
    if (!before?.value) {
      // A pair with a stored vote proves its voter already took part; others may be new.
      const cast = (byPair.get(key) as VoteEvent[]).find((e) => e.type === 'VoteCast');
      if (cast) voters.push({ consultation: cast.data.consultation, participantId: key.slice(0, 36), tier: cast.data.voterTier });
    }
    let after = before;
    for (const event of byPair.get(key) as VoteEvent[]) after = foldVote(after, event);
    if (!after || after === before) continue;
    changed.push({ key, vote: after });
    // A disqualified voter's pair is tracked (requalification counts its then-current vote) but not counted.
    if (standing.excluded.has(key.slice(0, 36))) continue;
    const proposalId = key.slice(37);
    if (before?.value) {
      addVote(tallyOf(proposalId, before.tier), before.value, before.qualifications, -1);
      countVote(before, -1);
    }
    if (after.value) {
      addVote(tallyOf(proposalId, after.tier), after.value, after.qualifications, 1);
      countVote(after, 1);
    }
  }
  await upsertVotes(client, schema, changed);
  await incrementTallies(client, schema, tallies);
  return { voteCounters, voters };
};

const upsertVotes = async (client: PoolClient, schema: string, changed: readonly { key: string; vote: PairVote }[]): Promise<void> => {
  if (changed.length === 0) return;
  await client.query(
    `INSERT INTO ${schema}.current_votes (participant_id, proposal_id, consultation, voter_tier, value, qualifications,
       recent_event_ids, updated_at)
     SELECT p, q, c, t, v, string_to_array(qs, ','), string_to_array(ids, ',')::uuid[], u::timestamptz
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
       AS x (p, q, c, t, v, qs, ids, u)
     ON CONFLICT (participant_id, proposal_id) DO UPDATE SET consultation = excluded.consultation,
       voter_tier = excluded.voter_tier, value = excluded.value, qualifications = excluded.qualifications,
       recent_event_ids = excluded.recent_event_ids, updated_at = excluded.updated_at`,
    [
      changed.map((c) => c.key.slice(0, 36)),
      changed.map((c) => c.key.slice(37)),
      changed.map((c) => c.vote.consultation),
      changed.map((c) => c.vote.tier),
      changed.map((c) => c.vote.value),
      changed.map((c) => c.vote.qualifications.join(',')),
      changed.map((c) => c.vote.recentEventIds.join(',')),
      changed.map((c) => c.vote.updatedAt),
    ],
  );
};

const incrementTallies = async (client: PoolClient, schema: string, tallies: ReadonlyMap<string, TallyVector>): Promise<void> => {
  const keys = [...tallies.keys()].filter((k) => !isZero(tallies.get(k) as TallyVector)).sort();
  await incrementRows(
    client,
    { table: `${schema}.tallies`, keys: [['proposal_id', 'uuid'], ['tier', 'text']], counters: TALLY_FIELDS.map((f) => TALLY_COLUMNS[f]) },
    keys.map((k) => [k.slice(0, 36), k.slice(37), ...(tallies.get(k) as TallyVector)]),
  );
};
