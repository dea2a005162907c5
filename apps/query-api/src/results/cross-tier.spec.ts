import { Tally, emptyTally } from '@app/domain';
import { Tier } from '@app/events';
import { groupInformedConsensus, netSupport, postStratifiedAdhesion, smoothedAgreement, tierDivergence } from './cross-tier';

const t = (agree: number, disagree: number, neutral = 0): Tally => ({ ...emptyTally(), total: agree + disagree + neutral, agree, disagree, neutral });
const tiers = (rural: Tally, medium: Tally, large: Tally): Record<Tier, Tally> => ({ rural, medium, large });
const shares = { rural: 0.6, medium: 0.25, large: 0.15 };

describe('cross-tier figures', () => {
  it('smooths agreement towards 1/2 with one agree and one other vote added', () => {
    expect(smoothedAgreement(t(0, 0))).toBe(0.5);
    expect(smoothedAgreement(t(3, 0))).toBe(0.8);
    expect(smoothedAgreement(t(2, 1, 1))).toBe(0.5);
  });

  it('multiplies smoothed agreement over tiers: a consensus needs every tier', () => {
    expect(groupInformedConsensus(tiers(t(3, 0), t(2, 0), t(2, 1)))).toBeCloseTo(0.8 * 0.75 * 0.6, 15);
    // Strong in two tiers, unknown in the third: capped by its 1/2.
    expect(groupInformedConsensus(tiers(t(100, 0), t(100, 0), t(0, 0)))).toBeLessThan(0.5);
    // Equal total agreement, spread evenly across tiers, ranks higher than concentrated in one.
    expect(groupInformedConsensus(tiers(t(20, 10), t(20, 10), t(20, 10)))).toBeGreaterThan(groupInformedConsensus(tiers(t(30, 0), t(30, 0), t(0, 30))));
  });

  it('nets support as (agree − disagree)/(votes + 2), neutral votes pulling it to 0', () => {
    expect(netSupport(t(2, 1))).toBeCloseTo(0.2, 15);
    expect(netSupport(t(0, 2))).toBe(-0.5);
    expect(netSupport(t(5, 5, 10))).toBe(0);
  });

  it('finds a divergence only when one tier with enough votes backs and another rejects', () => {
    const d = tierDivergence(tiers(t(2, 1), t(0, 2), t(0, 0, 1)), 2);
    expect(d).toMatchObject({ backedBy: 'rural', rejectedBy: 'medium', supportByTier: { rural: 0.2, medium: -0.5, large: null } });
    expect(d?.gap).toBeCloseTo(0.7, 15);
    expect(tierDivergence(tiers(t(3, 0), t(2, 0), t(2, 1)), 2)).toBeNull(); // nobody rejects
    expect(tierDivergence(tiers(t(30, 0), t(0, 1), t(0, 0)), 2)).toBeNull(); // one tier with enough votes
  });

  it('weights adhesion by population shares, leaving empty tiers out', () => {
    expect(postStratifiedAdhesion(tiers(t(1, 0), t(0, 1), t(1, 1)), shares)).toBeCloseTo(0.6 + 0.15 * 0.5, 15);
    // Medium has no vote: rural and large shares rescaled to 0.6/0.75 and 0.15/0.75.
    expect(postStratifiedAdhesion(tiers(t(1, 0), t(0, 0), t(0, 1)), shares)).toBeCloseTo(0.8, 15);
    expect(postStratifiedAdhesion(tiers(t(0, 0), t(0, 0), t(0, 0)), shares)).toBeNull();
    // Voting in proportion to the population: the weighted figure equals the raw one.
    expect(postStratifiedAdhesion(tiers(t(36, 24), t(10, 15), t(3, 12)), shares)).toBeCloseTo((36 + 10 + 3) / 100, 15);
  });
});
