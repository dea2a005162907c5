/**
 * Territory resolution: commune or postal code → current commune, population and tier, from the
 * INSEE data of @etalab/decoupage-administratif. Pure TypeScript plus node:fs to read the data;
 * no framework, no I/O beyond that one read.
 */
export { tierOfPopulation, MEDIUM_TIER_MIN_POPULATION, MEDIUM_TIER_MAX_POPULATION } from './tier-of-population';
export { TerritoryIndex } from './territory-index';
export { loadTerritoryIndex } from './load-territory-index';
export { TERRITORY_DATA_PACKAGE, TERRITORY_DATA_VERSION } from './data-version';
export { parseCommuneRecords, COMMUNE_RECORD_TYPES } from './commune-records';
export type { CommuneRecord, CommuneRecordType } from './commune-records';
export type { CurrentCommune } from './current-communes';
export type { ResolvedTerritory, Resolution, CommuneResolution, PostalCodeResolution } from './resolution';
export type {
  TerritoryError,
  UnknownTerritory,
  UnknownTerritoryReason,
  AmbiguousPostalCode,
  PostalCodeCandidate,
} from './territory-errors';
export { populationByTier, populationShareByTier } from './population-shares';
export type { PopulationByTier } from './population-shares';
export { postalCodeStats } from './postal-code-stats';
export type { PostalCodeStats } from './postal-code-stats';
export { sampleCommunes, ambiguousPostalCodes } from './load-test-samples';
export type { SampleCommune, Rng } from './load-test-samples';
