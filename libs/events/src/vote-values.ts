/** Make.org's vote values and the qualifications each one allows. */
export const VOTE_VALUES = ['agree', 'disagree', 'neutral'] as const;
export type VoteValue = (typeof VOTE_VALUES)[number];

export const QUALIFICATIONS_BY_VALUE = {
  agree: ['likeIt', 'doable', 'platitudeAgree'],
  disagree: ['noWay', 'impossible', 'platitudeDisagree'],
  neutral: ['doNotUnderstand', 'noOpinion', 'doNotCare'],
} as const satisfies Record<VoteValue, readonly string[]>;

export type Qualification = (typeof QUALIFICATIONS_BY_VALUE)[VoteValue][number];

export const QUALIFICATIONS: readonly Qualification[] = VOTE_VALUES.flatMap(
  (value) => QUALIFICATIONS_BY_VALUE[value],
);

export const isVoteValue = (value: unknown): value is VoteValue =>
  typeof value === 'string' && (VOTE_VALUES as readonly string[]).includes(value);

export const isQualificationOf = (value: VoteValue, qualification: unknown): qualification is Qualification =>
  typeof qualification === 'string' &&
  (QUALIFICATIONS_BY_VALUE[value] as readonly string[]).includes(qualification);
