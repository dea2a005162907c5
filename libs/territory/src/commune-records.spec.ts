import { parseCommuneRecords } from './commune-records';

const valid = {
  code: '01001',
  nom: "L'Abergement-Clémenciat",
  type: 'commune-actuelle',
  departement: '01',
  region: '84',
  codesPostaux: ['01400'],
  population: 860,
  siren: '210100012',
};

describe('parseCommuneRecords', () => {
  it('keeps the fields the index relies on and ignores the others', () => {
    expect(parseCommuneRecords([valid])).toEqual([
      expect.objectContaining({ code: '01001', type: 'commune-actuelle', population: 860, codesPostaux: ['01400'] }),
    ]);
  });

  it.each([
    ['a file that is not an array', { communes: [] }, /expected an array/],
    ['an unknown record type', [{ ...valid, type: 'commune-fusionnee' }], /unexpected "type"/],
    ['a missing département', [{ ...valid, departement: undefined }], /"departement"/],
    ['a population given as text', [{ ...valid, population: '860' }], /"population"/],
    ['a negative population', [{ ...valid, population: -1 }], /"population"/],
    ['postal codes that are not strings', [{ ...valid, codesPostaux: [1400] }], /"codesPostaux"/],
    ['an arrondissement without its city', [{ ...valid, type: 'arrondissement-municipal' }], /needs "commune"/],
    ['a commune déléguée without chef-lieu', [{ ...valid, type: 'commune-deleguee' }], /needs "chefLieu"/],
  ])('fails loudly on %s', (_, json, message) => {
    expect(() => parseCommuneRecords(json)).toThrow(message);
  });
});
