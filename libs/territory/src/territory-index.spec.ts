import { CommuneRecord } from './commune-records';
import { TerritoryIndex } from './territory-index';

// A made-up country small enough to read: each record exists to exercise one rule of DESIGN.md.
const actuelle = (
  code: string,
  nom: string,
  population: number | undefined,
  codesPostaux: string[],
  departement = '01',
): CommuneRecord => ({ code, nom, type: 'commune-actuelle', departement, region: '84', population, codesPostaux });

const records: CommuneRecord[] = [
  // The chef-lieu déléguée comes before its commune nouvelle: the order of the file must not matter.
  { code: '01010', nom: 'Vieux-Bourg', type: 'commune-deleguee', departement: '01', region: '84', chefLieu: '01010' },
  actuelle('01010', 'Grand-Bourg', 130_000, ['01400']),
  { code: '01011', nom: 'Hameau', type: 'commune-deleguee', departement: '01', region: '84', chefLieu: '01010' },
  { code: '01012', nom: 'Annexe', type: 'commune-associee', departement: '01', region: '84', chefLieu: '01010' },
  actuelle('01056', 'Capitale', 2_000_000, ['01001', '01002']),
  {
    code: '01101',
    nom: 'Capitale 1er',
    type: 'arrondissement-municipal',
    departement: '01',
    region: '84',
    commune: '01056',
    population: 15_000,
    codesPostaux: ['01001'],
  },
  actuelle('01020', 'Prairie', 900, ['01100']),
  actuelle('01021', 'Bosquet', 1_200, ['01100']),
  actuelle('01030', 'Préfecture', 42_000, ['01200']),
  actuelle('01031', 'Faubourg', 6_000, ['01200']),
  actuelle('01040', 'Rive-Gauche', 500, ['01300']),
  actuelle('02040', 'Rive-Droite', 500, ['01300'], '02'),
  actuelle('01050', 'Village', 300, ['01500']),
  actuelle('01099', 'Village-Détruit', 0, ['01500']),
  actuelle('98412', 'Archipel', undefined, []),
  actuelle('98901', 'Atoll', undefined, ['98799'], '989'),
  actuelle('2A004', 'Port-Corse', 76_000, ['20000'], '2A'),
];
const index = new TerritoryIndex(records);

describe('TerritoryIndex.resolveCommune', () => {
  it('resolves a current commune to itself, with its population and tier', () => {
    expect(index.resolveCommune('01030')).toEqual({
      ok: true,
      tier: 'medium',
      territory: { communeCode: '01030', communeName: 'Préfecture', departement: '01', region: '84', population: 42_000 },
    });
  });

  it('resolves a municipal arrondissement to its city, so a small arrondissement of a big city is large', () => {
    expect(index.resolveCommune('01101')).toMatchObject({
      ok: true,
      tier: 'large',
      territory: { communeCode: '01056', communeName: 'Capitale', population: 2_000_000 },
    });
  });

  it.each(['01011', '01012'])('resolves the commune déléguée or associée %s to its current commune', (code) => {
    expect(index.resolveCommune(code)).toMatchObject({ ok: true, tier: 'large', territory: { communeCode: '01010' } });
  });

  it('lets the commune nouvelle win over its chef-lieu déléguée of the same code, wherever it is in the file', () => {
    expect(index.resolveCommune('01010')).toMatchObject({
      ok: true,
      tier: 'large',
      territory: { communeCode: '01010', communeName: 'Grand-Bourg', population: 130_000 },
    });
  });

  it('upper-cases a Corsican code before looking it up', () => {
    expect(index.resolveCommune('2a004')).toMatchObject({ ok: true, tier: 'medium', territory: { communeCode: '2A004' } });
  });

  it('refuses a commune whose recorded population is zero (nobody can live there)', () => {
    expect(index.resolveCommune('01099')).toMatchObject({ ok: false, error: { kind: 'unknown-territory', reason: 'no-population' } });
  });

  it('refuses a commune without population, naming it', () => {
    expect(index.resolveCommune('98412')).toEqual({
      ok: false,
      error: { kind: 'unknown-territory', reason: 'no-population', detail: expect.stringContaining('98412 (Archipel)') },
    });
  });

  it('refuses a well-formed code that is not in the data', () => {
    expect(index.resolveCommune('01999')).toEqual({
      ok: false,
      error: { kind: 'unknown-territory', reason: 'unknown-code', detail: expect.stringContaining('01999') },
    });
  });

  it.each(['7510', 'ABCDE', '', '01030 ', '2C004'])('refuses the malformed code %p, saying the format is wrong', (code) => {
    expect(index.resolveCommune(code)).toEqual({
      ok: false,
      error: { kind: 'unknown-territory', reason: 'malformed-code', detail: expect.stringContaining('malformed') },
    });
  });

  it('refuses a value that is not a string, as sent by an unvalidated JSON body, instead of throwing', () => {
    const fromJson: unknown = 75101;
    expect(index.resolveCommune(fromJson as string)).toMatchObject({ ok: false, error: { reason: 'malformed-code' } });
    expect(index.resolvePostalCode(null as unknown as string)).toMatchObject({ ok: false, error: { reason: 'malformed-code' } });
  });

  it('hands out answers that callers cannot alter for the next caller', () => {
    const first = index.resolveCommune('01030');
    expect(Object.isFrozen(first.ok && first.territory)).toBe(true);
  });
});

describe('TerritoryIndex.resolvePostalCode', () => {
  it('names the commune when the postal code has only one behind it', () => {
    expect(index.resolvePostalCode('20000')).toEqual({
      ok: true,
      tier: 'medium',
      territory: {
        communeCode: '2A004',
        communeName: 'Port-Corse',
        postalCode: '20000',
        departement: '2A',
        region: '84',
        population: 76_000,
      },
    });
  });

  it('counts a city once when both the city and one of its arrondissements carry the postal code', () => {
    expect(index.resolvePostalCode('01001')).toMatchObject({ ok: true, tier: 'large', territory: { communeCode: '01056' } });
  });

  it('accepts several communes of one tier and one département without naming any of them', () => {
    expect(index.resolvePostalCode('01100')).toEqual({
      ok: true,
      tier: 'rural',
      territory: { postalCode: '01100', departement: '01', region: '84' },
    });
  });

  it('refuses a postal code spanning two tiers, with the candidates largest first', () => {
    expect(index.resolvePostalCode('01200')).toEqual({
      ok: false,
      error: {
        kind: 'ambiguous-postal-code',
        postalCode: '01200',
        spans: ['tiers'],
        detail: expect.stringContaining('tiers (medium, rural)'),
        candidates: [
          { communeCode: '01030', name: 'Préfecture', population: 42_000, tier: 'medium' },
          { communeCode: '01031', name: 'Faubourg', population: 6_000, tier: 'rural' },
        ],
      },
    });
  });

  it('refuses a postal code spanning two départements of one tier, ordering equal populations by code', () => {
    expect(index.resolvePostalCode('01300')).toMatchObject({
      ok: false,
      error: {
        kind: 'ambiguous-postal-code',
        spans: ['departements'],
        candidates: [{ communeCode: '01040' }, { communeCode: '02040' }],
      },
    });
  });

  it('refuses a postal code whose only commune has no population', () => {
    expect(index.resolvePostalCode('98799')).toMatchObject({ ok: false, error: { kind: 'unknown-territory', reason: 'no-population' } });
  });

  it('refuses an unknown postal code and a malformed one differently', () => {
    expect(index.resolvePostalCode('09999')).toMatchObject({ ok: false, error: { kind: 'unknown-territory', reason: 'unknown-code' } });
    expect(index.resolvePostalCode('1500')).toMatchObject({ ok: false, error: { kind: 'unknown-territory', reason: 'malformed-code' } });
  });
});

describe('TerritoryIndex construction', () => {
  it('fails when an alias points to no current commune', () => {
    const dangling: CommuneRecord = {
      code: '01011',
      nom: 'Hameau',
      type: 'commune-deleguee',
      departement: '01',
      region: '84',
      chefLieu: '01777',
    };
    expect(() => new TerritoryIndex([dangling])).toThrow(/01777, which is not a current commune/);
  });

  it('fails when a current commune appears twice', () => {
    expect(() => new TerritoryIndex([actuelle('01020', 'A', 1, []), actuelle('01020', 'B', 2, [])])).toThrow(/appears twice/);
  });

  it('lists each current commune once, however many codes point to it', () => {
    expect(index.currentCommunes().filter((commune) => commune.code === '01010')).toHaveLength(1);
    expect(index.currentCommunes()).toHaveLength(records.filter((record) => record.type === 'commune-actuelle').length);
  });
});
