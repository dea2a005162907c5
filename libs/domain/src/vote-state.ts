import { Tier } from '@app/events/tier';
import { VoteCast, VoteRetracted } from '@app/events/vote-events';
import { Qualification, VoteValue } from '@app/events/vote-values';
import { Counter, TallyChange, TallyDelta } from './tally';

/**
 * The projector-side rule for ONE participant's vote on ONE proposal, applied to that pair's
 * events in log order (the votes topic is keyed by participant, so their order holds).
 * Both projections (Postgres and Redis) apply it to their own copy of the pair's state.
 */

export interface CurrentVote {
  readonly value: VoteValue;
  /** No duplicates, sorted. */
  readonly qualifications: readonly Qualification[];
  readonly voterTier: Tier;
}

/**
 * A pair's state: its current vote, or null after a retraction (or a retraction of nothing),
 * and the ids of the last events applied to it. The state is kept when the vote is null: were it
 * dropped, a late duplicate of an earlier VoteCast (a client retry re-appending the same
 * key-derived event id after the retraction) would bring a withdrawn vote back.
 */
export interface VoteState {
  readonly vote: CurrentVote | null;
  readonly eventIds: readonly string[];
}

/**
 * How many event ids a pair remembers. A duplicate comes from a retry of one request (503, then
 * the same Idempotency-Key a few seconds later) or a producer resend, so it follows its original
 * within the pair's next few events; one participant does not vote 8 times on the same proposal
 * between a request and its retry. Bounded, so the per-pair state stays small for 1 M votes.
 */
export const REMEMBERED_EVENT_IDS = 8;

export interface VoteStep {
  /** The pair's new state; the very same object as the input when the event was a duplicate. */
  readonly next: VoteState;
  /** The tally changes, or null when the counts do not move. */
  readonly delta: TallyDelta | null;
}

const canonical = (qualifications: readonly Qualification[]): Qualification[] => [...new Set(qualifications)].sort();

const countersOf = (vote: CurrentVote): Counter[] => [vote.value, ...vote.qualifications];

/** +1 for what `to` counts, −1 for what `from` counts, netted per (tier, counter). */
const deltaBetween = (from: CurrentVote | null, to: CurrentVote | null): TallyDelta | null => {
  const net = new Map<string, { tier: Tier; counter: Counter; by: number }>();
  const add = (vote: CurrentVote | null, by: number): void => {
    if (!vote) return;
    for (const counter of countersOf(vote)) {
      const key = `${vote.voterTier}/${counter}`;
      const entry = net.get(key) ?? { tier: vote.voterTier, counter, by: 0 };
      net.set(key, { ...entry, by: entry.by + by });
    }
  };
  add(from, -1);
  add(to, +1);
  const changes: TallyChange[] = [];
  for (const { tier, counter, by } of net.values()) {
    if (by === 1 || by === -1) changes.push({ tier, counter, by });
  }
  return changes.length > 0 ? changes : null;
};

/**
 * Applies a VoteCast or VoteRetracted to the pair's state (null: never seen):
 * - an event id already applied → no change at all (redelivery or retry);
 * - a vote equal to the current one (value, qualifications, tier) → no delta;
 * - another vote → the old one is taken out and the new one counted (a "move");
 * - a retraction → the current vote is taken out; with no current vote, no delta.
 * Counters never go negative: a −1 only ever undoes a +1 recorded in this state.
 */
export const applyVoteEvent = (state: VoteState | null, event: VoteCast | VoteRetracted): VoteStep => {
  if (state && state.eventIds.includes(event.eventId)) return { next: state, delta: null };
  const vote: CurrentVote | null =
    event.type === 'VoteCast'
      ? { value: event.data.value, qualifications: canonical(event.data.qualifications), voterTier: event.data.voterTier }
      : null;
  const current = state?.vote ?? null;
  const eventIds = [...(state?.eventIds ?? []), event.eventId].slice(-REMEMBERED_EVENT_IDS);
  return { next: { vote, eventIds }, delta: deltaBetween(current, vote) };
};
