import { Thresholds } from '@app/events/consultation-events';
import { Tally } from './tally';

/**
 * The report's figures for one tally (DESIGN.md "Results"). Every ratio is a single division of
 * integer counts, so a value exactly at a threshold (72/90 = 0.8) compares equal to it.
 */

/**
 * Bounds of engagement. Per vote: agree + likeIt + doable = +2; disagree + noWay + impossible +
 * platitudeDisagree = −3; a mean of per-vote values stays within the same bounds.
 */
export const ENGAGEMENT_MIN = -3;
export const ENGAGEMENT_MAX = 2;

export interface Metrics {
  /** agree / votes. */
  readonly adhesion: number | null;
  /** (likeIt + doable − noWay − impossible − platitudeAgree − platitudeDisagree) / votes. */
  readonly engagement: number | null;
  /** adhesion + engagement. */
  readonly score: number | null;
}

/** With no votes every figure is null, not 0: "nobody voted" is not "nobody agreed". */
export const metricsOf = (t: Tally): Metrics => {
  if (t.total === 0) return { adhesion: null, engagement: null, score: null };
  const q = t.qualifications;
  const adhesion = t.agree / t.total;
  const engagement =
    (q.likeIt + q.doable - q.noWay - q.impossible - q.platitudeAgree - q.platitudeDisagree) / t.total;
  return { adhesion, engagement, score: adhesion + engagement };
};

/**
 * Plébiscite ("consensus"): votes ≥ minVotes, adhesion ≥ minAdhesion, engagement ≥ minEngagement,
 * every bound included. `minVotes` is `thresholds.minVotes` overall and `thresholds.minVotesPerTier`
 * for one tier's tally.
 */
export const isPlebiscite = (t: Tally, thresholds: Thresholds, minVotes: number = thresholds.minVotes): boolean => {
  const { adhesion, engagement } = metricsOf(t);
  return (
    t.total >= minVotes &&
    adhesion !== null &&
    engagement !== null &&
    adhesion >= thresholds.minAdhesion &&
    engagement >= thresholds.minEngagement
  );
};

/**
 * Controversy: how evenly the voters split into a camp that backs the proposal and a camp that
 * rejects it, with strong feelings weighing more.
 *
 *   A = agree + likeIt      (backers; a "coup de cœur" counts twice)
 *   D = disagree + noWay    (rejecters; a "pas du tout" counts twice)
 *   N = neutral
 *   controversy = 2 · min(A, D) / (A + D + N)        in [0, 1]
 *
 * 1 = two equally strong camps and no neutral voter; 0 = nobody on one side. Neutral votes
 * dilute it (an indifferent crowd is not a controversy). Without qualifications it is the
 * balance of the split times the share of voters who took sides: 2·min(a,d)/(a+d) · (a+d)/total.
 * It is the "min of the two camps" idea of Make.org's own controversy (min(likeIt, noWay) over
 * non-neutral votes), counting every vote and not only the qualified ones, which few voters give.
 * Null below `minVotes` votes (`thresholds.minVotesControversy`): a 1–1 split is not a controversy.
 */
export const controversy = (t: Tally, minVotes: number): number | null => {
  if (t.total === 0 || t.total < minVotes) return null;
  const backers = t.agree + t.qualifications.likeIt;
  const rejecters = t.disagree + t.qualifications.noWay;
  return (2 * Math.min(backers, rejecters)) / (backers + rejecters + t.neutral);
};
