import { Tier } from '@app/events/tier';
import { Qualification, QUALIFICATIONS, VoteValue } from '@app/events/vote-values';

/** Current-vote counts of one proposal (overall or for one tier). `total` = agree + disagree + neutral. */
export interface Tally {
  readonly total: number;
  readonly agree: number;
  readonly disagree: number;
  readonly neutral: number;
  readonly qualifications: { readonly [Q in Qualification]: number };
}

export const emptyTally = (): Tally => ({
  total: 0,
  agree: 0,
  disagree: 0,
  neutral: 0,
  qualifications: {
    likeIt: 0,
    doable: 0,
    platitudeAgree: 0,
    noWay: 0,
    impossible: 0,
    platitudeDisagree: 0,
    doNotUnderstand: 0,
    noOpinion: 0,
    doNotCare: 0,
  },
});

/** A counter of a tally: a vote value (which also moves `total`) or a qualification. */
export type Counter = VoteValue | Qualification;

/** One counter of one tier moved by one. */
export interface TallyChange {
  readonly tier: Tier;
  readonly counter: Counter;
  readonly by: 1 | -1;
}

/** The changes one event makes to the tallies: never empty (no change is `null`, not `[]`). */
export type TallyDelta = readonly TallyChange[];

const isQualification = (counter: Counter): counter is Qualification =>
  (QUALIFICATIONS as readonly string[]).includes(counter);

/**
 * The tally after the changes: all of them (overall tally), or only those of `tier` (that
 * tier's tally). Pure; a reference for the projectors' set-based SQL and Redis scripts.
 */
export const applyTallyChanges = (tally: Tally, changes: readonly TallyChange[], tier?: Tier): Tally =>
  changes
    .filter((change) => tier === undefined || change.tier === tier)
    .reduce<Tally>((t, { counter, by }) => {
      if (isQualification(counter)) {
        return { ...t, qualifications: { ...t.qualifications, [counter]: t.qualifications[counter] + by } };
      }
      return { ...t, total: t.total + by, [counter]: t[counter] + by };
    }, tally);
