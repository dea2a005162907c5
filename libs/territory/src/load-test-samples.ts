import type { Tier } from '@app/events';
import { loadTerritoryIndex } from './load-territory-index';
import { TerritoryIndex } from './territory-index';
import { AmbiguousPostalCode } from './territory-errors';
import { tierOfPopulation } from './tier-of-population';

/**
 * Real territories for load tests, so registrations exercise the same lookups as production
 * instead of one hot key.
 */
export interface SampleCommune {
  readonly communeCode: string;
  readonly communeName: string;
  readonly population: number;
  readonly tier: Tier;
  readonly postalCodes: readonly string[];
  /** The commune's postal codes that are accepted alone (they resolve to this same tier). */
  readonly acceptedPostalCodes: readonly string[];
}

/** A random number in [0, 1), like Math.random; pass a seeded one for reproducible runs. */
export type Rng = () => number;

const pools = new WeakMap<TerritoryIndex, ReadonlyMap<Tier, readonly SampleCommune[]>>();

function poolsOf(index: TerritoryIndex): ReadonlyMap<Tier, readonly SampleCommune[]> {
  const known = pools.get(index);
  if (known !== undefined) return known;
  const byTier = new Map<Tier, SampleCommune[]>();
  for (const commune of index.currentCommunes()) {
    if (commune.population === undefined || commune.population === 0) continue;
    const tier = tierOfPopulation(commune.population);
    const sample: SampleCommune = {
      communeCode: commune.code,
      communeName: commune.name,
      population: commune.population,
      tier,
      postalCodes: commune.postalCodes,
      acceptedPostalCodes: commune.postalCodes.filter((postalCode) => index.resolvePostalCode(postalCode).ok),
    };
    const pool = byTier.get(tier);
    if (pool === undefined) byTier.set(tier, [sample]);
    else pool.push(sample);
  }
  pools.set(index, byTier);
  return byTier;
}

/**
 * `n` communes of `tier`, drawn uniformly with replacement (there are only a few dozen `large`
 * communes), in a stable order so a seeded `rng` gives the same sample on every run.
 */
export function sampleCommunes(tier: Tier, n: number, rng: Rng, index: TerritoryIndex = loadTerritoryIndex()): SampleCommune[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  const pool = poolsOf(index).get(tier) ?? [];
  if (n > 0 && pool.length === 0) throw new RangeError(`no commune of tier ${tier} in this index`);
  return Array.from({ length: n }, () => pool[Math.min(pool.length - 1, Math.floor(rng() * pool.length))]);
}

/** Every postal code that is refused as ambiguous, with its candidates, in postal-code order. */
export function ambiguousPostalCodes(index: TerritoryIndex = loadTerritoryIndex()): AmbiguousPostalCode[] {
  const ambiguous: AmbiguousPostalCode[] = [];
  for (const [postalCode] of index.postalCodes()) {
    const resolution = index.resolvePostalCode(postalCode);
    if (!resolution.ok && resolution.error.kind === 'ambiguous-postal-code') ambiguous.push(resolution.error);
  }
  return ambiguous;
}
