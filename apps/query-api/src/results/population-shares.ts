import { readFileSync } from 'node:fs';
import { Tier } from '@app/events';
import { TerritoryIndex, parseCommuneRecords, populationShareByTier } from '@app/territory';
import { territoryDataFile } from '@app/territory/data-version';

/**
 * Population share of each tier from the same INSEE data that decides participants' tiers
 * (rural 60.1 %, medium 24.9 %, large 15.0 % with 6.0.0). Computed once at start from a
 * throwaway index: loadTerritoryIndex() would keep the whole commune index (tens of MB) alive
 * in a process that never resolves a commune.
 */
export const computePopulationShares = (): Readonly<Record<Tier, number>> => {
  const json: unknown = JSON.parse(readFileSync(territoryDataFile('data/communes.json'), 'utf8'));
  const share = populationShareByTier(new TerritoryIndex(parseCommuneRecords(json)));
  return Object.freeze({ rural: share.rural, medium: share.medium, large: share.large });
};
