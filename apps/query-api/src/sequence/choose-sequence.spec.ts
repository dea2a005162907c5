import { emptyTally } from '@app/domain';
import { Tier } from '@app/events';
import { SequenceCandidate, SequenceSettings, chooseSequence } from './choose-sequence';
import { SimulationOptions, seeded, simulate } from './sequence-simulation';

const settings = (exploration: number): SequenceSettings => ({ targetVotes: 90, targetTierVotes: 30, exploration, jitter: 0.05 });

const candidate = (id: string, total: number, tierVotes: Partial<Record<Tier, number>> = {}, agree = 0): SequenceCandidate => {
  const byTier = { rural: emptyTally(), medium: emptyTally(), large: emptyTally() };
  for (const [tier, n] of Object.entries(tierVotes) as [Tier, number][]) byTier[tier] = { ...emptyTally(), total: n };
  return { proposalId: id, overall: { ...emptyTally(), total, agree }, byTier };
};

const spread = (values: readonly number[]) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sorted = [...values].sort((a, b) => a - b);
  return { mean, min: sorted[0], max: sorted[sorted.length - 1], p95: sorted[Math.floor(sorted.length * 0.95)] };
};

describe('chooseSequence', () => {
  it('returns distinct candidates only, at most `limit`', () => {
    const candidates = Array.from({ length: 30 }, (_, i) => candidate(`p${i}`, i * 10, { rural: i }, i * 5));
    for (const seed of [1, 2, 3]) {
      const chosen = chooseSequence(candidates, 'rural', 10, settings(0.5), seeded(seed));
      expect(chosen).toHaveLength(10);
      expect(new Set(chosen).size).toBe(10);
      expect(chosen.every((id) => candidates.some((c) => c.proposalId === id))).toBe(true);
    }
    expect(chooseSequence(candidates.slice(0, 3), 'rural', 10, settings(0.2), seeded(1))).toHaveLength(3);
    expect(chooseSequence([], 'rural', 10, settings(0.2), seeded(1))).toEqual([]);
  });

  it("prefers proposals short of votes from the participant's tier", () => {
    // Both have 100 votes (past the 90 overall). Progress min(100/90, tier votes/30):
    // large voter: few-large 3/30 = 0.1 < many-large 1.11; rural voter: few-large 1.11 > many-large 20/30.
    const candidates = [candidate('few-large', 100, { rural: 97, large: 3 }), candidate('many-large', 100, { rural: 20, medium: 20, large: 60 })];
    for (const seed of [1, 2, 3, 4]) {
      expect(chooseSequence(candidates, 'large', 1, settings(0), seeded(seed))).toEqual(['few-large']);
      expect(chooseSequence(candidates, 'rural', 1, settings(0), seeded(seed))).toEqual(['many-large']);
    }
  });

  it('prefers proposals short of votes overall', () => {
    // Both past 30 medium votes; progress min(votes/90, medium/30): old 80/90, new 35/90.
    const candidates = [candidate('old', 80, { medium: 40, rural: 40 }), candidate('new', 35, { medium: 35 })];
    expect(chooseSequence(candidates, 'medium', 2, settings(0), seeded(1))).toEqual(['new', 'old']);
  });

  it('explores only proposals that reached both targets, the strong ones far more often', () => {
    // Ten proposals past both targets with adhesion 0.05 … 0.95, and twenty without votes.
    const tested = Array.from({ length: 10 }, (_, i) => candidate(`t${i}`, 200, { rural: 100, medium: 50, large: 50 }, 10 + 20 * i));
    const fresh = Array.from({ length: 20 }, (_, i) => candidate(`new${i}`, 0));
    const picks = new Map<string, number>();
    const random = seeded(9);
    for (let i = 0; i < 500; i++) {
      for (const id of chooseSequence([...tested, ...fresh], 'medium', 5, settings(0.2), random)) picks.set(id, (picks.get(id) ?? 0) + 1);
    }
    const testedPicks = tested.reduce((n, c) => n + (picks.get(c.proposalId) ?? 0), 0);
    expect(testedPicks).toBeGreaterThan(0.15 * 2500); // ≈ 20 % of the 2,500 slots explore
    expect(testedPicks).toBeLessThan(0.25 * 2500);
    expect(picks.get('t9') ?? 0).toBeGreaterThan(picks.get('t5') ?? 0);
    expect(picks.get('t0') ?? 0).toBe(0);
  });

  describe('fairness in a simulated consultation', () => {
    // 300 proposals arriving in three waves, 2,000 participants (tier mix 60/25/15 %) asking up
    // to three sequences of 10 and voting on 90 % of what they see, the tallies they see
    // refreshed every 25 participants (simultaneous requests see the same figures): about
    // 54,000 votes, 180 per proposal on average.
    const base: Omit<SimulationOptions, 'settings' | 'seed'> = {
      proposals: 300,
      waves: 3,
      participants: 2000,
      sequenceLength: 10,
      voteRate: 0.9,
      refreshEvery: 25,
    };

    it.each([11])('keeps the spread of votes per proposal within 20 %% of the mean with the equalizer alone (seed %i)', (seed) => {
      const outcome = simulate({ ...base, settings: settings(0), seed });
      expect(outcome.repeats).toBe(0);
      const overall = spread(outcome.totals);
      expect(overall.max - overall.min).toBeLessThanOrEqual(0.2 * overall.mean);
      for (const tier of ['rural', 'medium', 'large'] as const) {
        const t = spread(outcome.byTier[tier]);
        expect(t.min).toBeGreaterThanOrEqual(0.75 * t.mean);
        expect(t.max).toBeLessThanOrEqual(1.35 * t.mean);
      }
    });

    it.each([12])('starves no proposal with exploration (default 0.1): min ≥ 0.75 × mean, 95th percentile ≤ 1.6 × mean (seed %i)', (seed) => {
      const outcome = simulate({ ...base, settings: settings(0.1), seed });
      expect(outcome.repeats).toBe(0);
      const overall = spread(outcome.totals);
      expect(overall.min).toBeGreaterThanOrEqual(0.75 * overall.mean);
      expect(overall.p95).toBeLessThanOrEqual(1.6 * overall.mean);
      for (const tier of ['rural', 'medium', 'large'] as const) {
        expect(spread(outcome.byTier[tier]).min).toBeGreaterThanOrEqual(0.7 * spread(outcome.byTier[tier]).mean);
      }
    });

    it('is a bound a uniformly random sequence breaks (late proposals starve)', () => {
      const uniform = (candidates: readonly SequenceCandidate[], _tier: Tier, limit: number, random: () => number): string[] => {
        const shuffled = [...candidates];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        return shuffled.slice(0, limit).map((c) => c.proposalId);
      };
      const outcome = simulate({ ...base, settings: settings(0), seed: 11, chooser: uniform });
      const overall = spread(outcome.totals);
      expect(overall.min).toBeLessThan(0.5 * overall.mean);
    });
  });
});
