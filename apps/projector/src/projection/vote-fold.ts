import { Qualification, Tier, VoteEvent, VoteValue } from '@app/events';

/**
 * The projector's vote rule (DESIGN.md "Vote rules", invariant 3), applied per (participant,
 * proposal) in log order: votes are keyed by participant, so one pair's events are totally
 * ordered within one partition. Pure; the SQL path folds a batch with it in memory, then writes
 * one row per pair. The Lua script (redis-apply-script.ts) implements the same rule for Redis.
 */

/** How many applied event ids a pair remembers to drop retries (same Idempotency-Key → same id). */
export const RECENT_EVENT_IDS = 16;

export interface PairVote {
  readonly consultation: string;
  /** The voter's tier as carried by the event that gave the current value. */
  readonly tier: Tier;
  /** null once retracted, or when only a retraction of nothing was seen. */
  readonly value: VoteValue | null;
  /** Sorted, without duplicates; empty when value is null. */
  readonly qualifications: readonly Qualification[];
  /** Oldest first, lower-case. */
  readonly recentEventIds: readonly string[];
  /** occurredAt of the event that set the current value. */
  readonly updatedAt: string;
}

export const canonicalQualifications = (qualifications: readonly Qualification[]): Qualification[] =>
  [...new Set(qualifications)].sort();

const sameQualifications = (a: readonly Qualification[], b: readonly Qualification[]): boolean =>
  a.length === b.length && a.every((q, i) => q === b[i]);

/**
 * The pair's state after `event`. Returns `state` itself (same reference) when the event is a
 * retry of one already applied: nothing at all changes, not even the remembered ids.
 */
export const foldVote = (state: PairVote | undefined, event: VoteEvent): PairVote | undefined => {
  const eventId = event.eventId.toLowerCase();
  if (state?.recentEventIds.includes(eventId)) return state;
  const recentEventIds = [...(state?.recentEventIds ?? []), eventId].slice(-RECENT_EVENT_IDS);
  switch (event.type) {
    case 'VoteCast': {
      const qualifications = canonicalQualifications(event.data.qualifications);
      if (state && state.value === event.data.value && sameQualifications(state.qualifications, qualifications)) {
        return { ...state, recentEventIds };
      }
      return {
        consultation: event.data.consultation,
        tier: event.data.voterTier,
        value: event.data.value,
        qualifications,
        recentEventIds,
        updatedAt: event.occurredAt,
      };
    }
    case 'VoteRetracted': {
      if (!state) {
        return { consultation: event.data.consultation, tier: event.data.voterTier, value: null, qualifications: [], recentEventIds, updatedAt: event.occurredAt };
      }
      if (state.value === null) return { ...state, recentEventIds };
      return { ...state, value: null, qualifications: [], recentEventIds, updatedAt: event.occurredAt };
    }
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
};
