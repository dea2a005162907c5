import { TIERS, Tier } from '@app/events';
import { loadTerritoryIndex } from './load-territory-index';
import { TerritoryIndex } from './territory-index';
import { tierOfPopulation } from './tier-of-population';

/**
 * How the French population splits between tiers, from the same data that decides participants'
 * tiers: the reference that representativeness compares participation with, and the figures quoted
 * in DESIGN.md (6.0.0: rural 60.1 %, medium 24.9 %, large 15.0 % of 68,952,941 people).
 * Every current commune with a population counts, overseas collectivités included, because their
 * inhabitants can register too.
 */
export interface PopulationByTier {
  readonly total: number;
  readonly population: Readonly<Record<Tier, number>>;
  /** Fractions of `total`, summing to 1. */
  readonly share: Readonly<Record<Tier, number>>;
}

const computed = new WeakMap<TerritoryIndex, PopulationByTier>();

export function populationByTier(index: TerritoryIndex = loadTerritoryIndex()): PopulationByTier {
  const known = computed.get(index);
  if (known !== undefined) return known;
  const population: Record<Tier, number> = { rural: 0, medium: 0, large: 0 };
  for (const commune of index.currentCommunes()) {
    if (commune.population !== undefined) population[tierOfPopulation(commune.population)] += commune.population;
  }
  const total = TIERS.reduce((sum, tier) => sum + population[tier], 0);
  const share: Record<Tier, number> = { rural: 0, medium: 0, large: 0 };
  for (const tier of TIERS) share[tier] = total === 0 ? 0 : population[tier] / total;
  const result = Object.freeze({ total, population: Object.freeze(population), share: Object.freeze(share) });
  computed.set(index, result);
  return result;
}

/** Shares of the population by tier (fractions summing to 1). */
export function populationShareByTier(index: TerritoryIndex = loadTerritoryIndex()): Readonly<Record<Tier, number>> {
  return populationByTier(index).share;
}
