import { isPostalCode, normaliseCommuneCode, quoteInput } from './territory-codes';

describe('normaliseCommuneCode', () => {
  it.each([
    ['75101', '75101'],
    ['2A004', '2A004'],
    ['2a004', '2A004'],
    ['2b033', '2B033'],
    ['97411', '97411'],
  ])('accepts %p as %p', (raw, normalised) => {
    expect(normaliseCommuneCode(raw)).toBe(normalised);
  });

  it.each(['7510', 'ABCDE', '', '75101 ', ' 75101', '751010', '2C004', '2A04', '3A004', '７５１０１'])(
    'refuses the malformed code %p',
    (raw) => {
      expect(normaliseCommuneCode(raw)).toBeUndefined();
    },
  );
});

describe('isPostalCode', () => {
  it('accepts exactly five digits', () => {
    expect(isPostalCode('01500')).toBe(true);
    expect(['1500', '015000', '2A000', '01 500', ''].filter(isPostalCode)).toEqual([]);
  });
});

describe('quoteInput', () => {
  it('quotes short input and cuts long input so error details stay readable', () => {
    expect(quoteInput('75101 ')).toBe('"75101 "');
    expect(quoteInput('x'.repeat(1000))).toBe(`"${'x'.repeat(20)}…"`);
  });
});
