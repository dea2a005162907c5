import { countersFor, parseLimit, parseOverrides, retryAfterSeconds, windowOf } from './rate-limits';

describe('write limits', () => {
  it('reads `<count>/<window>` in seconds, minutes and hours, and `off`', () => {
    expect(parseLimit('60/1m')).toEqual({ max: 60, windowMs: 60_000 });
    expect(parseLimit('5/10s')).toEqual({ max: 5, windowMs: 10_000 });
    expect(parseLimit('100/1h')).toEqual({ max: 100, windowMs: 3_600_000 });
    expect(parseLimit('off')).toBeUndefined();
    expect(() => parseLimit('0/1m')).toThrow();
  });

  it('refuses overrides that are not JSON, name an unknown limit or hold a bad value, naming the entry', () => {
    expect(parseOverrides('{')).toBe('is not JSON');
    expect(parseOverrides('[]')).toMatch(/object/);
    expect(parseOverrides('{"gc": {"registration": "1/1m"}}')).toMatch(/^gc\.registration/);
    expect(parseOverrides('{"gc": {"participant": "lots"}}')).toMatch(/^gc\.participant/);
    expect(parseOverrides('')).toEqual(new Map());
  });

  const settings = {
    participant: { max: 60, windowMs: 60_000 },
    address: { max: 1200, windowMs: 60_000 },
    registration: { max: 100, windowMs: 3_600_000 },
    overrides: parseOverrides('{"gc": {"participant": "5/1m"}, "open": {"address": "off", "participant": "off"}}') as Map<string, never>,
  };

  it('counts a participant write against the participant and the address, in the shared default budget', () => {
    expect(countersFor({ registration: false, participantId: 'p1', address: '192.0.2.1' }, settings)).toEqual([
      { kind: 'address', key: 'a:*:192.0.2.1', limit: settings.address },
      { kind: 'participant', key: 'p:*:p1', limit: settings.participant },
    ]);
  });

  it('counts a registration against the registration and the address limits', () => {
    expect(countersFor({ registration: true, address: '192.0.2.1' }, settings).map((c) => c.kind)).toEqual(['address', 'registration']);
  });

  it('gives a consultation with an override its own budget, and the defaults for what it does not override', () => {
    expect(countersFor({ registration: false, participantId: 'p1', address: '192.0.2.1', consultation: 'gc' }, settings)).toEqual([
      { kind: 'address', key: 'a:gc:192.0.2.1', limit: settings.address },
      { kind: 'participant', key: 'p:gc:p1', limit: { max: 5, windowMs: 60_000 } },
    ]);
    expect(countersFor({ registration: false, participantId: 'p1', address: '192.0.2.1', consultation: 'open' }, settings)).toEqual([]);
    expect(countersFor({ registration: false, participantId: 'p1', address: '192.0.2.1', consultation: 'other' }, settings)[1].key).toBe('p:*:p1');
  });

  it('aligns windows on the epoch and answers Retry-After as the whole seconds left (at least 1)', () => {
    const limit = { max: 1, windowMs: 60_000 };
    expect(windowOf(limit, 120_000)).toEqual({ index: 2, endsAtMs: 180_000 });
    expect(retryAfterSeconds(limit, 120_000)).toBe(60);
    expect(retryAfterSeconds(limit, 179_001)).toBe(1);
    expect(retryAfterSeconds(limit, 179_999)).toBe(1);
  });
});
