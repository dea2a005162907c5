import { QUALIFICATIONS, Qualification, VoteValue } from '@app/events';

/**
 * A tally as a fixed vector: total, the three values, then the nine qualifications in
 * QUALIFICATIONS order. The SQL columns of readmodel.tallies follow the same order.
 */
export const TALLY_FIELDS = ['total', 'agree', 'disagree', 'neutral', ...QUALIFICATIONS] as const;
export type TallyField = (typeof TALLY_FIELDS)[number];
export type TallyVector = number[];

export const TALLY_COLUMNS: Readonly<Record<TallyField, string>> = {
  total: 'total',
  agree: 'agree',
  disagree: 'disagree',
  neutral: 'neutral',
  likeIt: 'like_it',
  doable: 'doable',
  platitudeAgree: 'platitude_agree',
  noWay: 'no_way',
  impossible: 'impossible',
  platitudeDisagree: 'platitude_disagree',
  doNotUnderstand: 'do_not_understand',
  noOpinion: 'no_opinion',
  doNotCare: 'do_not_care',
};

const INDEX = new Map<string, number>(TALLY_FIELDS.map((field, i) => [field, i]));

export const emptyTally = (): TallyVector => TALLY_FIELDS.map(() => 0);

/** Adds (sign +1) or removes (sign −1) one vote to a tally vector in place. */
export const addVote = (
  tally: TallyVector,
  value: VoteValue,
  qualifications: readonly Qualification[],
  sign: 1 | -1,
): void => {
  tally[0] += sign;
  tally[INDEX.get(value) as number] += sign;
  for (const qualification of qualifications) tally[INDEX.get(qualification) as number] += sign;
};

export const isZero = (tally: TallyVector): boolean => tally.every((n) => n === 0);
