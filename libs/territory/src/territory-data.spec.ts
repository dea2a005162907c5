import { loadTerritoryIndex } from './load-territory-index';

// Vectors from the real data (@etalab/decoupage-administratif 6.0.0): each one is a trap a naive
// lookup falls into. If a data upgrade changes one, re-check the rule before updating the number.
const index = loadTerritoryIndex();

describe('commune codes of the real data', () => {
  it.each([
    ['75101', '75056', 'Paris', 2_103_778],
    ['69381', '69123', 'Lyon', 519_127],
    ['13201', '13055', 'Marseille', 886_040],
  ])('resolves the arrondissement %s to %s %s, which is large', (code, communeCode, communeName, population) => {
    expect(index.resolveCommune(code)).toEqual({
      ok: true,
      tier: 'large',
      territory: expect.objectContaining({ communeCode, communeName, population }),
    });
  });

  it('resolves the commune déléguée Annecy-le-Vieux (74011) to Annecy (74010), large', () => {
    expect(index.resolveCommune('74011')).toMatchObject({
      ok: true,
      tier: 'large',
      territory: { communeCode: '74010', communeName: 'Annecy' },
    });
  });

  it('resolves the commune associée Lomme (59355) to Lille (59350), large', () => {
    expect(index.resolveCommune('59355')).toMatchObject({
      ok: true,
      tier: 'large',
      territory: { communeCode: '59350', communeName: 'Lille' },
    });
  });

  it.each([
    ['74010', 'Annecy', 132_117, 'large'],
    ['50129', 'Cherbourg-en-Cotentin', 78_258, 'medium'],
  ])('resolves %s, both a commune nouvelle and its chef-lieu déléguée, to the commune nouvelle %s', (code, name, population, tier) => {
    expect(index.resolveCommune(code)).toEqual({
      ok: true,
      tier,
      territory: expect.objectContaining({ communeCode: code, communeName: name, population }),
    });
  });

  it('resolves Ajaccio (2A004) as medium with its Corsican département', () => {
    expect(index.resolveCommune('2A004')).toEqual({
      ok: true,
      tier: 'medium',
      territory: { communeCode: '2A004', communeName: 'Ajaccio', departement: '2A', region: '94', population: 76_320 },
    });
  });

  it('resolves Saint-Denis de La Réunion (97411) as large', () => {
    expect(index.resolveCommune('97411')).toMatchObject({
      ok: true,
      tier: 'large',
      territory: { communeName: 'Saint-Denis', departement: '974' },
    });
  });

  it.each(['98411', '98412', '98413', '98414', '98415', '98901'])('refuses %s (TAAF, Clipperton), which has no population', (code) => {
    expect(index.resolveCommune(code)).toMatchObject({ ok: false, error: { kind: 'unknown-territory', reason: 'no-population' } });
  });

  it('refuses an unknown code, and a former code of a merged commune (Ajaccio was 20004)', () => {
    for (const code of ['99999', '20004']) {
      expect(index.resolveCommune(code)).toMatchObject({ ok: false, error: { kind: 'unknown-territory', reason: 'unknown-code' } });
    }
  });

  it.each(['7510', 'ABCDE', '', '75101 '])('refuses the malformed code %p with a format error', (code) => {
    expect(index.resolveCommune(code)).toMatchObject({ ok: false, error: { kind: 'unknown-territory', reason: 'malformed-code' } });
  });
});

describe('postal codes of the real data', () => {
  it('refuses 01000, shared by Bourg-en-Bresse (medium) and Saint-Denis-lès-Bourg (rural)', () => {
    expect(index.resolvePostalCode('01000')).toEqual({
      ok: false,
      error: expect.objectContaining({
        kind: 'ambiguous-postal-code',
        spans: ['tiers'],
        candidates: [
          { communeCode: '01053', name: 'Bourg-en-Bresse', population: 42_372, tier: 'medium' },
          { communeCode: '01344', name: 'Saint-Denis-lès-Bourg', population: 6_160, tier: 'rural' },
        ],
      }),
    });
  });

  it('refuses 13780, rural on both sides of the Bouches-du-Rhône / Var border', () => {
    expect(index.resolvePostalCode('13780')).toMatchObject({
      ok: false,
      error: {
        kind: 'ambiguous-postal-code',
        spans: ['departements'],
        candidates: [{ communeCode: '13030', tier: 'rural' }, { communeCode: '83105', tier: 'rural' }],
      },
    });
  });

  it('accepts 01500 (8 rural communes of the Ain) without naming a commune', () => {
    expect(index.resolvePostalCode('01500')).toEqual({
      ok: true,
      tier: 'rural',
      territory: { postalCode: '01500', departement: '01', region: '84' },
    });
  });

  it('accepts 75001 as Paris, the only commune behind it', () => {
    expect(index.resolvePostalCode('75001')).toMatchObject({
      ok: true,
      tier: 'large',
      territory: { communeCode: '75056', postalCode: '75001' },
    });
  });

  it('refuses 98799 (Clipperton, no population) and an unknown postal code', () => {
    expect(index.resolvePostalCode('98799')).toMatchObject({ ok: false, error: { kind: 'unknown-territory', reason: 'no-population' } });
    expect(index.resolvePostalCode('00000')).toMatchObject({ ok: false, error: { kind: 'unknown-territory', reason: 'unknown-code' } });
  });
});
