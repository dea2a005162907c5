import { parseInstant } from './instant';

describe('parseInstant', () => {
  it('reads Z and numeric offsets as the same instant when they are', () => {
    expect(parseInstant('2026-02-01T00:00:00+01:00')).toBe(Date.UTC(2026, 0, 31, 23));
    expect(parseInstant('2026-01-31T23:00:00Z')).toBe(Date.UTC(2026, 0, 31, 23));
    expect(parseInstant('2026-01-31T18:30:00-04:30')).toBe(Date.UTC(2026, 0, 31, 23));
  });

  it('accepts omitted seconds and fractions, truncating beyond milliseconds', () => {
    expect(parseInstant('2026-02-01T10:20Z')).toBe(Date.UTC(2026, 1, 1, 10, 20));
    expect(parseInstant('2026-02-01T10:20:30.5Z')).toBe(Date.UTC(2026, 1, 1, 10, 20, 30, 500));
    expect(parseInstant('2026-02-01T10:20:30.123999Z')).toBe(Date.UTC(2026, 1, 1, 10, 20, 30, 123));
  });

  it.each([
    ['no offset', '2026-02-01T00:00:00'],
    ['a date only', '2026-02-01'],
    ['February 30th', '2026-02-30T00:00:00Z'],
    ['February 29th of a common year', '2026-02-29T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['hour 24', '2026-02-01T24:00:00Z'],
    ['a leap second', '2026-06-30T23:59:60Z'],
    ['an offset of 24 hours', '2026-02-01T00:00:00+24:00'],
    ['an offset without colon', '2026-02-01T00:00:00+0100'],
    ['a space instead of T', '2026-02-01 00:00:00Z'],
    ['trailing text', '2026-02-01T00:00:00Zjunk'],
  ])('refuses %s', (_, text) => {
    expect(parseInstant(text)).toBeNull();
  });

  it('accepts February 29th of a leap year', () => {
    expect(parseInstant('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
  });

  it('reads years before 100 as themselves, not as 19xx', () => {
    expect(parseInstant('0099-01-01T00:00:00Z')).toBe(new Date('0099-01-01T00:00:00Z').getTime());
  });
});
