import { CurrentCommune } from './current-communes';
import { PostalCodeResolution } from './resolution';
import { AmbiguousPostalCode, PostalCodeCandidate, unknownTerritory } from './territory-errors';
import { tierOfPopulation } from './tier-of-population';

type PopulatedCommune = CurrentCommune & { readonly population: number };

const isPopulated = (commune: CurrentCommune): commune is PopulatedCommune => commune.population !== undefined;

const byPopulationDesc = (a: PostalCodeCandidate, b: PostalCodeCandidate): number =>
  b.population - a.population || (a.communeCode < b.communeCode ? -1 : a.communeCode > b.communeCode ? 1 : 0);

const distinct = (values: readonly string[]): string[] => [...new Set(values)].sort();

/**
 * Decides what a postal code alone tells us, given the current communes behind it (arrondissements
 * and déléguées already mapped to their current commune, without duplicates).
 *
 * A postal code is accepted only when every commune behind it has the same tier and the same
 * département (DESIGN.md): then the tier does not depend on which commune the participant lives
 * in. Otherwise the participant must pick a commune from the candidates. Communes without
 * population are left out: nobody can register there, so they cannot make a code ambiguous.
 */
export function decidePostalCode(postalCode: string, communes: readonly CurrentCommune[]): PostalCodeResolution {
  const populated = communes.filter(isPopulated);
  if (populated.length === 0) {
    const names = communes.map((commune) => commune.name).join(', ');
    return {
      ok: false,
      error: unknownTerritory('no-population', `postal code ${postalCode} only covers communes without population (${names})`),
    };
  }
  const candidates = populated
    .map((commune): PostalCodeCandidate => ({
      communeCode: commune.code,
      name: commune.name,
      population: commune.population,
      tier: tierOfPopulation(commune.population),
    }))
    .sort(byPopulationDesc);
  const tiers = distinct(candidates.map((candidate) => candidate.tier));
  const departements = distinct(populated.map((commune) => commune.departement));
  if (tiers.length === 1 && departements.length === 1) {
    const [only] = populated;
    const tier = candidates[0].tier;
    return populated.length === 1
      ? {
          ok: true,
          tier,
          territory: {
            communeCode: only.code,
            communeName: only.name,
            postalCode,
            departement: only.departement,
            region: only.region,
            population: only.population,
          },
        }
      : { ok: true, tier, territory: { postalCode, departement: only.departement, region: only.region } };
  }
  return { ok: false, error: ambiguity(postalCode, tiers, departements, candidates) };
}

function ambiguity(
  postalCode: string,
  tiers: readonly string[],
  departements: readonly string[],
  candidates: readonly PostalCodeCandidate[],
): AmbiguousPostalCode {
  const spans: ('tiers' | 'departements')[] = [];
  const reasons: string[] = [];
  if (tiers.length > 1) {
    spans.push('tiers');
    reasons.push(`tiers (${tiers.join(', ')})`);
  }
  if (departements.length > 1) {
    spans.push('departements');
    reasons.push(`départements (${departements.join(', ')})`);
  }
  return {
    kind: 'ambiguous-postal-code',
    postalCode,
    spans,
    detail: `postal code ${postalCode} covers ${candidates.length} communes of several ${reasons.join(' and ')}: pick one commune code`,
    candidates,
  };
}
