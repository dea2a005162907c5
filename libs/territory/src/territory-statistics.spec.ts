import { TERRITORY_DATA_VERSION } from './data-version';
import { loadTerritoryIndex } from './load-territory-index';
import { populationByTier, populationShareByTier } from './population-shares';
import { postalCodeStats } from './postal-code-stats';

// The figures DESIGN.md quotes, recomputed from the installed data through the resolver itself.
describe('territory statistics of the installed data', () => {
  it('names the installed package version', () => {
    expect(TERRITORY_DATA_VERSION).toBe('@etalab/decoupage-administratif@6.0.0');
  });

  it('builds the index once per process', () => {
    expect(loadTerritoryIndex()).toBe(loadTerritoryIndex());
  });

  it('finds 4,205 of 6,310 postal codes shared by several communes, 144 spanning tiers and 15 more spanning départements', () => {
    expect(postalCodeStats()).toEqual({
      postalCodes: 6_310,
      multiCommune: 4_205,
      spanningTiers: 144,
      spanningDepartementsOnly: 15,
      spanningTiersAndDepartements: 1,
    });
  });

  it('splits the population 60.1 % rural, 24.9 % medium, 15.0 % large', () => {
    const share = populationShareByTier();
    expect(share.rural * 100).toBeCloseTo(60.1, 1);
    expect(share.medium * 100).toBeCloseTo(24.9, 1);
    expect(share.large * 100).toBeCloseTo(15.0, 1);
    expect(share.rural + share.medium + share.large).toBeCloseTo(1, 12);
    expect(populationByTier().total).toBe(68_952_941);
  });
});
