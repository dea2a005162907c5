import type { Tier } from '@app/events';

/**
 * Tier thresholds of DESIGN.md ("Territory tiers"). Both ends of `medium` are included:
 * a commune of exactly 20,000 or exactly 100,000 inhabitants is a ville moyenne.
 */
export const MEDIUM_TIER_MIN_POPULATION = 20_000;
export const MEDIUM_TIER_MAX_POPULATION = 100_000;

/**
 * The tier of a commune from its INSEE population municipale. A population that is not a
 * non-negative integer can only come from corrupt data, so it throws rather than guessing a tier.
 */
export function tierOfPopulation(population: number): Tier {
  if (!Number.isSafeInteger(population) || population < 0) {
    throw new RangeError(`population must be a non-negative integer, got ${population}`);
  }
  if (population < MEDIUM_TIER_MIN_POPULATION) return 'rural';
  if (population <= MEDIUM_TIER_MAX_POPULATION) return 'medium';
  return 'large';
}
