import { TIERS, Tier } from '@app/events';
import { Rng, TerritoryIndex, ambiguousPostalCodes, populationShareByTier, sampleCommunes } from '@app/territory';
import { AgeRange, RegistrationBody, RegistrationFixture } from './fixture-types';
import { pick, shuffled } from './rng';

/** Share of registrations sent with an ambiguous postal code (the client must pick a commune: 422). */
export const AMBIGUOUS_SHARE = 0.01;
/** Share of the others sent with a postal code accepted alone rather than a commune code. */
export const POSTAL_CODE_SHARE = 0.4;
/** Share of large-tier registrations sent with a Paris, Lyon or Marseille arrondissement code. */
export const ARRONDISSEMENT_SHARE = 0.05;

const AGE_RANGES: readonly AgeRange[] = ['<18', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'];

/** Real first names and ages from Make.org's open data (the `auteur` and `age` columns). */
export interface PersonPool {
  readonly firstNames: readonly string[];
  readonly ages: readonly number[];
}

const ageRangeOf = (age: number): AgeRange =>
  age < 18 ? '<18' : age < 25 ? '18-24' : age < 35 ? '25-34' : age < 45 ? '35-44' : age < 55 ? '45-54' : age < 65 ? '55-64' : '65+';

/** Counts per tier proportional to the population shares (largest remainder, summing to `total`). */
export const splitByShare = (total: number, share: Readonly<Record<Tier, number>>): Record<Tier, number> => {
  const exact = TIERS.map((tier) => ({ tier, value: total * share[tier] }));
  const counts = Object.fromEntries(exact.map(({ tier, value }) => [tier, Math.floor(value)])) as Record<Tier, number>;
  let missing = total - TIERS.reduce((sum, tier) => sum + counts[tier], 0);
  for (const { tier } of [...exact].sort((a, b) => (b.value % 1) - (a.value % 1))) {
    if (missing-- <= 0) break;
    counts[tier] += 1;
  }
  return counts;
};

/** Arrondissement codes (75101…, 69381…, 13201…) that the index resolves to a large-tier city. */
const arrondissementCodes = (index: TerritoryIndex): string[] => {
  const ranges: [number, number][] = [[75101, 75120], [69381, 69389], [13201, 13216]];
  const codes = ranges.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i)));
  return codes.filter((code) => {
    const resolved = index.resolveCommune(code);
    return resolved.ok && resolved.tier === 'large';
  });
};

const personalData = (people: PersonPool, rng: Rng): Pick<RegistrationBody, 'firstName' | 'ageRange'> => {
  const firstName = people.firstNames.length > 0 && rng() < 0.5 ? pick(people.firstNames, rng) : undefined;
  const ageRange = rng() < 0.6 ? (people.ages.length > 0 && rng() < 0.7 ? ageRangeOf(pick(people.ages, rng)) : pick(AGE_RANGES, rng)) : undefined;
  return { ...(firstName !== undefined && { firstName }), ...(ageRange !== undefined && { ageRange }) };
};

/**
 * `total` registrations in a random order: ~1 % ambiguous postal codes (422 expected), the rest
 * split by the population share of each tier, from real communes (commune code, a postal code
 * accepted alone, or an arrondissement), half of them with a real first name.
 */
export const buildRegistrations = (total: number, index: TerritoryIndex, people: PersonPool, rng: Rng): RegistrationFixture[] => {
  const ambiguous = ambiguousPostalCodes(index);
  const ambiguousCount = Math.min(total, Math.max(1, Math.round(total * AMBIGUOUS_SHARE)));
  const perTier = splitByShare(total - ambiguousCount, populationShareByTier(index));
  const arrondissements = arrondissementCodes(index);
  const rows: RegistrationFixture[] = [];
  for (const tier of TIERS) {
    for (const commune of sampleCommunes(tier, perTier[tier], rng, index)) {
      const where: RegistrationBody =
        tier === 'large' && arrondissements.length > 0 && rng() < ARRONDISSEMENT_SHARE
          ? { communeCode: pick(arrondissements, rng) }
          : commune.acceptedPostalCodes.length > 0 && rng() < POSTAL_CODE_SHARE
            ? { postalCode: pick(commune.acceptedPostalCodes, rng) }
            : { communeCode: commune.communeCode };
      rows.push({ body: { ...where, ...personalData(people, rng) }, tier });
    }
  }
  for (let i = 0; i < ambiguousCount; i++) {
    rows.push({ body: { postalCode: pick(ambiguous, rng).postalCode, ...personalData(people, rng) }, tier: null });
  }
  return shuffled(rows, rng);
};
