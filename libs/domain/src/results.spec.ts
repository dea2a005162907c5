import { DEFAULT_THRESHOLDS } from '@app/events/consultation-events';
import { Qualification } from '@app/events/vote-values';
import { controversy, ENGAGEMENT_MAX, ENGAGEMENT_MIN, isPlebiscite, metricsOf } from './results';
import { emptyTally, Tally } from './tally';

const tally = (counts: { agree?: number; disagree?: number; neutral?: number } & Partial<Record<Qualification, number>>): Tally => {
  const { agree = 0, disagree = 0, neutral = 0, ...qualifications } = counts;
  return {
    total: agree + disagree + neutral,
    agree,
    disagree,
    neutral,
    qualifications: { ...emptyTally().qualifications, ...qualifications },
  };
};

describe('metricsOf', () => {
  it('is null, not 0, for every figure when nobody voted', () => {
    expect(metricsOf(emptyTally())).toEqual({ adhesion: null, engagement: null, score: null });
  });

  it('computes adhesion = agree / votes, engagement from qualifications, score = their sum', () => {
    const t = tally({ agree: 6, disagree: 3, neutral: 1, likeIt: 3, doable: 2, platitudeAgree: 1, noWay: 1, impossible: 1, platitudeDisagree: 1, noOpinion: 1 });
    expect(metricsOf(t)).toEqual({ adhesion: 0.6, engagement: (3 + 2 - 1 - 1 - 1 - 1) / 10, score: 0.6 + 0.1 });
  });

  it('keeps engagement within [ENGAGEMENT_MIN, ENGAGEMENT_MAX], reaching both', () => {
    expect(metricsOf(tally({ agree: 5, likeIt: 5, doable: 5 })).engagement).toBe(ENGAGEMENT_MAX);
    expect(metricsOf(tally({ disagree: 5, noWay: 5, impossible: 5, platitudeDisagree: 5 })).engagement).toBe(ENGAGEMENT_MIN);
  });
});

describe('isPlebiscite (votes ≥ 90, adhesion ≥ 0.80, engagement ≥ 0.37 by default)', () => {
  // 100 votes: 80 agree (0.80) and 37 likeIt (0.37): exactly at every threshold.
  const atEdges = tally({ agree: 80, disagree: 20, likeIt: 37 });

  it('is a plébiscite exactly at the thresholds', () => {
    expect(isPlebiscite(atEdges, DEFAULT_THRESHOLDS)).toBe(true);
  });

  it('is not with one agree fewer (adhesion 79/100)', () => {
    expect(isPlebiscite(tally({ agree: 79, disagree: 21, likeIt: 37 }), DEFAULT_THRESHOLDS)).toBe(false);
  });

  it('is not with one likeIt fewer (engagement 36/100)', () => {
    expect(isPlebiscite(tally({ agree: 80, disagree: 20, likeIt: 36 }), DEFAULT_THRESHOLDS)).toBe(false);
  });

  it('needs the minimum number of votes: 90 passes and 89 does not', () => {
    expect(isPlebiscite(tally({ agree: 72, disagree: 18, likeIt: 34 }), DEFAULT_THRESHOLDS)).toBe(true);
    expect(isPlebiscite(tally({ agree: 72, disagree: 17, likeIt: 34 }), DEFAULT_THRESHOLDS)).toBe(false);
  });

  it('takes the per-tier minimum when given: 30 votes of one tier can be a plébiscite', () => {
    const tier = tally({ agree: 24, disagree: 6, likeIt: 12 });
    expect(isPlebiscite(tier, DEFAULT_THRESHOLDS)).toBe(false);
    expect(isPlebiscite(tier, DEFAULT_THRESHOLDS, DEFAULT_THRESHOLDS.minVotesPerTier)).toBe(true);
    expect(isPlebiscite(tally({ agree: 23, disagree: 6, likeIt: 12 }), DEFAULT_THRESHOLDS, 30)).toBe(false);
  });

  it('follows the consultation’s own thresholds', () => {
    expect(isPlebiscite(atEdges, { ...DEFAULT_THRESHOLDS, minAdhesion: 0.81 })).toBe(false);
    expect(isPlebiscite(atEdges, { ...DEFAULT_THRESHOLDS, minEngagement: 0.38 })).toBe(false);
  });

  it('is never one without votes', () => {
    expect(isPlebiscite(emptyTally(), { ...DEFAULT_THRESHOLDS, minVotes: 1 }, 0)).toBe(false);
  });
});

describe('controversy', () => {
  it('is null below the minimum number of votes, and with none', () => {
    expect(controversy(tally({ agree: 15, disagree: 14 }), 30)).toBeNull();
    expect(controversy(emptyTally(), 0)).toBeNull();
    expect(controversy(tally({ agree: 15, disagree: 15 }), 30)).toBe(1);
  });

  it('is 0 when nobody disagrees, 1 for an even split with no neutral voter', () => {
    expect(controversy(tally({ agree: 40 }), 30)).toBe(0);
    expect(controversy(tally({ agree: 20, disagree: 20 }), 30)).toBe(1);
  });

  it('without qualifications, is 2·min(a,d)/(a+d) · (a+d)/votes', () => {
    const t = tally({ agree: 30, disagree: 10, neutral: 20 });
    expect(controversy(t, 30)).toBeCloseTo(((2 * 10) / 40) * (40 / 60), 12);
  });

  it('is diluted by neutral voters', () => {
    expect(controversy(tally({ agree: 20, disagree: 20, neutral: 40 }), 30)).toBe(0.5);
  });

  it('weighs strong feelings: strong backers against lukewarm rejecters is less controversial than strong against strong', () => {
    const strongVsStrong = controversy(tally({ agree: 20, disagree: 20, likeIt: 20, noWay: 20 }), 30);
    const strongVsLukewarm = controversy(tally({ agree: 20, disagree: 20, likeIt: 20 }), 30);
    expect(strongVsStrong).toBe(1);
    expect(strongVsLukewarm).toBeCloseTo(40 / 60, 12);
  });
});
