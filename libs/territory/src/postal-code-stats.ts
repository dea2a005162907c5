import { loadTerritoryIndex } from './load-territory-index';
import { TerritoryIndex } from './territory-index';

/**
 * How often a postal code alone is not enough, counted through the resolver itself so the figures
 * quoted in DESIGN.md describe what participants actually get.
 */
export interface PostalCodeStats {
  readonly postalCodes: number;
  /** Postal codes with more than one current commune behind them. */
  readonly multiCommune: number;
  /** Refused because their communes are of different tiers (whatever their départements). */
  readonly spanningTiers: number;
  /** Refused only because their communes, all of one tier, are in different départements. */
  readonly spanningDepartementsOnly: number;
  /** Among `spanningTiers`, those that also span départements. */
  readonly spanningTiersAndDepartements: number;
}

export function postalCodeStats(index: TerritoryIndex = loadTerritoryIndex()): PostalCodeStats {
  let multiCommune = 0;
  let spanningTiers = 0;
  let spanningDepartementsOnly = 0;
  let spanningTiersAndDepartements = 0;
  const postalCodes = index.postalCodes();
  for (const [postalCode, communes] of postalCodes) {
    if (communes.length > 1) multiCommune += 1;
    const resolution = index.resolvePostalCode(postalCode);
    if (resolution.ok || resolution.error.kind !== 'ambiguous-postal-code') continue;
    const { spans } = resolution.error;
    if (spans.includes('tiers')) spanningTiers += 1;
    else spanningDepartementsOnly += 1;
    if (spans.includes('tiers') && spans.includes('departements')) spanningTiersAndDepartements += 1;
  }
  return { postalCodes: postalCodes.length, multiCommune, spanningTiers, spanningDepartementsOnly, spanningTiersAndDepartements };
}
