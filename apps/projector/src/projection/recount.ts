import { DomainEvent, QUALIFICATIONS, Qualification, Tier, VoteValue } from '@app/events';
import { PositionedEvent } from './projection-batch';

/**
 * The oracle: recounts from the events themselves what every projection must show. Written
 * apart from the SQL and Lua paths and as plainly as possible: keep each pair's final vote and
 * each proposal's final status, then count. Used by the tests and by the load-test check.
 *
 * Rules (DESIGN.md): per (participant, proposal), in log order, an event whose id was already
 * seen for the pair is dropped; a cast sets the vote, a retraction removes it. A proposal's
 * first submission stands; accept/refuse set its status. The quota keeps each author's first
 * 100 submissions per consultation by (occurredAt in ms, proposalId). Participants of a
 * consultation are the authors of its submissions and the casters of its votes.
 * Disqualification (docs/abuse.md): a participant whose last standing event in log order is
 * ParticipantDisqualified counts nowhere: neither their current votes (tallies, `votes`) nor
 * their membership (`participants`); their proposals still count (moderation decides those).
 */
export type Counts = Record<string, number>;
/** proposalId → voter tier → field (total, agree, …, likeIt, …) → count; zeros left out. */
export type TallySnapshot = Record<string, Record<string, Counts>>;
/** consultation → tier → counter (participants, proposalsSubmitted, …, votes) → count; zeros left out. */
export type CounterSnapshot = Record<string, Record<string, Counts>>;

export interface RecountedProposal {
  readonly consultation: string;
  readonly authorTier: Tier;
  readonly status: 'pending' | 'accepted' | 'refused';
  readonly withinQuota: boolean;
}

export interface Recount {
  readonly tallies: TallySnapshot;
  readonly counters: CounterSnapshot;
  readonly proposals: Record<string, RecountedProposal>;
  /** Events read per partition ("topic:partition" → next offset). */
  readonly positions: Record<string, string>;
}

interface Vote {
  consultation: string;
  tier: Tier;
  value: VoteValue | null;
  qualifications: readonly Qualification[];
  seen: Set<string>;
}

export const recount = (records: readonly PositionedEvent[]): Recount => {
  const positions: Record<string, string> = {};
  const byPartition = new Map<string, Map<string, DomainEvent>>();
  for (const r of records) {
    const key = `${r.topic}:${r.partition}`;
    const list = byPartition.get(key) ?? new Map<string, DomainEvent>();
    byPartition.set(key, list);
    list.set(r.offset, r.event);
    const next = (BigInt(r.offset) + 1n).toString();
    if (!positions[key] || BigInt(positions[key]) < BigInt(next)) positions[key] = next;
  }

  const votes = new Map<string, Vote>();
  const proposals = new Map<string, { consultation: string; author: string; authorTier: Tier; ms: number; status: RecountedProposal['status'] }>();
  const members = new Map<string, Tier>();
  const disqualified = new Set<string>();
  for (const partition of byPartition.values()) {
    const ordered = [...partition.entries()].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1)).map(([, e]) => e);
    for (const event of ordered) {
      if (event.type === 'VoteCast' || event.type === 'VoteRetracted') {
        const key = `${event.data.participantId.toLowerCase()}|${event.data.proposalId.toLowerCase()}`;
        const id = event.eventId.toLowerCase();
        let vote = votes.get(key);
        if (!vote) {
          vote = { consultation: event.data.consultation, tier: event.data.voterTier, value: null, qualifications: [], seen: new Set() };
          votes.set(key, vote);
        }
        if (vote.seen.has(id)) continue;
        vote.seen.add(id);
        if (event.type === 'VoteCast') {
          members.set(`${event.data.consultation}|${event.data.participantId.toLowerCase()}`, event.data.voterTier);
          vote.value = event.data.value;
          vote.qualifications = event.data.qualifications;
          vote.tier = event.data.voterTier;
        } else {
          vote.value = null;
          vote.qualifications = [];
        }
      } else if (event.type === 'ProposalSubmitted') {
        const id = event.data.proposalId.toLowerCase();
        if (proposals.has(id)) continue;
        proposals.set(id, {
          consultation: event.data.consultation,
          author: event.data.authorId.toLowerCase(),
          authorTier: event.data.authorTier,
          ms: Date.parse(event.occurredAt),
          status: 'pending',
        });
        members.set(`${event.data.consultation}|${event.data.authorId.toLowerCase()}`, event.data.authorTier);
      } else if (event.type === 'ParticipantDisqualified') {
        disqualified.add(event.data.participantId.toLowerCase());
      } else if (event.type === 'ParticipantRequalified') {
        disqualified.delete(event.data.participantId.toLowerCase());
      } else if (event.type === 'ProposalAccepted' || event.type === 'ProposalRefused') {
        const proposal = proposals.get(event.data.proposalId.toLowerCase());
        if (proposal) proposal.status = event.type === 'ProposalAccepted' ? 'accepted' : 'refused';
      }
    }
  }

  const tallies: TallySnapshot = {};
  const counters: CounterSnapshot = {};
  const add = (table: Record<string, Record<string, Counts>>, a: string, b: string, field: string): void => {
    table[a] ??= {};
    table[a][b] ??= {};
    table[a][b][field] = (table[a][b][field] ?? 0) + 1;
  };
  for (const [key, vote] of votes) {
    if (vote.value === null || disqualified.has(key.split('|')[0])) continue;
    const proposalId = key.split('|')[1];
    add(tallies, proposalId, vote.tier, 'total');
    add(tallies, proposalId, vote.tier, vote.value);
    for (const q of new Set(vote.qualifications)) {
      if (!QUALIFICATIONS.includes(q)) throw new Error(`unknown qualification ${q}`);
      add(tallies, proposalId, vote.tier, q);
    }
    add(counters, vote.consultation, vote.tier, 'votes');
  }
  for (const [key, tier] of members) {
    if (!disqualified.has(key.split('|')[1])) add(counters, key.split('|')[0], tier, 'participants');
  }

  const byAuthor = new Map<string, string[]>();
  for (const [id, p] of proposals) {
    const key = `${p.consultation}|${p.author}`;
    byAuthor.set(key, [...(byAuthor.get(key) ?? []), id]);
  }
  const recounted: Record<string, RecountedProposal> = {};
  for (const ids of byAuthor.values()) {
    ids.sort((a, b) => {
      const pa = proposals.get(a)!;
      const pb = proposals.get(b)!;
      return pa.ms !== pb.ms ? pa.ms - pb.ms : a < b ? -1 : 1;
    });
    ids.forEach((id, rank) => {
      const p = proposals.get(id)!;
      recounted[id] = { consultation: p.consultation, authorTier: p.authorTier, status: p.status, withinQuota: rank < 100 };
      if (rank >= 100) return;
      add(counters, p.consultation, p.authorTier, 'proposalsSubmitted');
      if (p.status === 'accepted') add(counters, p.consultation, p.authorTier, 'proposalsAccepted');
      if (p.status === 'refused') add(counters, p.consultation, p.authorTier, 'proposalsRefused');
    });
  }
  return { tallies, counters, proposals: recounted, positions };
};
