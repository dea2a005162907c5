import { isOpen, windowOf } from './window';

describe('isOpen (open ≤ t < close)', () => {
  const window = windowOf('2026-02-01T00:00:00+01:00', '2026-03-01T00:00:00+01:00');
  const opens = Date.UTC(2026, 0, 31, 23);
  const closes = Date.UTC(2026, 1, 28, 23);

  it('is open at the open instant', () => expect(isOpen(window, new Date(opens))).toBe(true));
  it('is closed one millisecond before it', () => expect(isOpen(window, new Date(opens - 1))).toBe(false));
  it('is open one millisecond before the close instant', () => expect(isOpen(window, new Date(closes - 1))).toBe(true));
  it('is closed at the close instant', () => expect(isOpen(window, new Date(closes))).toBe(false));

  it('compares instants, not strings: 23:30Z on Jan 31st is after 00:00+01:00 on Feb 1st', () => {
    expect('2026-01-31T23:30:00Z' < window.opensAt).toBe(true);
    expect(isOpen(window, new Date('2026-01-31T23:30:00Z'))).toBe(true);
  });

  it('is never open when a bound is not a valid instant', () => {
    expect(isOpen(windowOf('2026-02-01T00:00:00', '2026-03-01T00:00:00Z'), new Date('2026-02-10T00:00:00Z'))).toBe(false);
  });
});
