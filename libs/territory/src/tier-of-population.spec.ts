import { tierOfPopulation } from './tier-of-population';

describe('tierOfPopulation', () => {
  it.each([
    [0, 'rural'],
    [19_999, 'rural'],
    [20_000, 'medium'],
    [100_000, 'medium'],
    [100_001, 'large'],
    [2_103_778, 'large'],
  ])('puts a commune of %i inhabitants in the %s tier', (population, tier) => {
    expect(tierOfPopulation(population)).toBe(tier);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses the impossible population %p', (population) => {
    expect(() => tierOfPopulation(population)).toThrow(RangeError);
  });
});
