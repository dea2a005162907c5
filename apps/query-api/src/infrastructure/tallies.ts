import { Tally, emptyTally, metricsOf } from '@app/domain';
import { QUALIFICATIONS, Qualification, TIERS, Tier } from '@app/events';

/** Per-tier tallies of one proposal; the overall tally is their sum. */
export type TierTallies = Readonly<Record<Tier, Tally>>;

/** API.md's Tally: counts, then adhesion, engagement and score (null with no votes). */
export interface TallyView {
  readonly total: number;
  readonly agree: number;
  readonly disagree: number;
  readonly neutral: number;
  readonly qualifications: { readonly [Q in Qualification]: number };
  readonly adhesion: number | null;
  readonly engagement: number | null;
  readonly score: number | null;
}

export const tallyView = (t: Tally): TallyView => ({
  total: t.total,
  agree: t.agree,
  disagree: t.disagree,
  neutral: t.neutral,
  qualifications: { ...t.qualifications },
  ...metricsOf(t),
});

/** Shared and frozen: a tier without votes needs no tally object of its own. */
const EMPTY: Tally = Object.freeze({ ...emptyTally(), qualifications: Object.freeze(emptyTally().qualifications) });

export const emptyTierTallies = (): Record<Tier, Tally> => ({ rural: EMPTY, medium: EMPTY, large: EMPTY });

/** Field by field, not generic: a snapshot sums tens of thousands of these per load. */
export const sumTallies = ({ rural: r, medium: m, large: l }: TierTallies): Tally => ({
  total: r.total + m.total + l.total,
  agree: r.agree + m.agree + l.agree,
  disagree: r.disagree + m.disagree + l.disagree,
  neutral: r.neutral + m.neutral + l.neutral,
  qualifications: {
    likeIt: r.qualifications.likeIt + m.qualifications.likeIt + l.qualifications.likeIt,
    doable: r.qualifications.doable + m.qualifications.doable + l.qualifications.doable,
    platitudeAgree: r.qualifications.platitudeAgree + m.qualifications.platitudeAgree + l.qualifications.platitudeAgree,
    noWay: r.qualifications.noWay + m.qualifications.noWay + l.qualifications.noWay,
    impossible: r.qualifications.impossible + m.qualifications.impossible + l.qualifications.impossible,
    platitudeDisagree: r.qualifications.platitudeDisagree + m.qualifications.platitudeDisagree + l.qualifications.platitudeDisagree,
    doNotUnderstand: r.qualifications.doNotUnderstand + m.qualifications.doNotUnderstand + l.qualifications.doNotUnderstand,
    noOpinion: r.qualifications.noOpinion + m.qualifications.noOpinion + l.qualifications.noOpinion,
    doNotCare: r.qualifications.doNotCare + m.qualifications.doNotCare + l.qualifications.doNotCare,
  },
});

const COLUMN_OF: Readonly<Record<Qualification, string>> = {
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

/** Columns of readmodel.tallies, in the order `tallyFromRow` reads them. */
export const TALLY_SQL_COLUMNS = ['total', 'agree', 'disagree', 'neutral', ...QUALIFICATIONS.map((q) => COLUMN_OF[q])];

/** A readmodel.tallies row (snake_case columns) as a Tally. */
export const tallyFromRow = (row: Readonly<Record<string, unknown>>): Tally => ({
  total: Number(row.total),
  agree: Number(row.agree),
  disagree: Number(row.disagree),
  neutral: Number(row.neutral),
  qualifications: {
    likeIt: Number(row.like_it),
    doable: Number(row.doable),
    platitudeAgree: Number(row.platitude_agree),
    noWay: Number(row.no_way),
    impossible: Number(row.impossible),
    platitudeDisagree: Number(row.platitude_disagree),
    doNotUnderstand: Number(row.do_not_understand),
    noOpinion: Number(row.no_opinion),
    doNotCare: Number(row.do_not_care),
  },
});

/** The Redis projection's tally hash of a proposal (`<tier>:<field>` → count) as per-tier tallies. */
export const tierTalliesFromRedisHash = (hash: Readonly<Record<string, string>>): Record<Tier, Tally> => {
  const read = (tier: Tier, field: string): number => Number(hash[`${tier}:${field}`] ?? 0);
  return Object.fromEntries(
    TIERS.map((tier) => [
      tier,
      {
        total: read(tier, 'total'),
        agree: read(tier, 'agree'),
        disagree: read(tier, 'disagree'),
        neutral: read(tier, 'neutral'),
        qualifications: Object.fromEntries(QUALIFICATIONS.map((q) => [q, read(tier, q)])) as Tally['qualifications'],
      },
    ]),
  ) as Record<Tier, Tally>;
};
