import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  let now = 0;
  const clock = () => now;

  it('serves a fresh entry, shares one load between concurrent misses, reloads after the TTL', async () => {
    now = 0;
    const cache = new TtlCache<number>(1000, 10, 0, clock);
    let loads = 0;
    const load = async () => ++loads;
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([1, 1]);
    now = 999;
    expect(await cache.get('k', load)).toBe(1);
    now = 1000;
    expect(await cache.get('k', load)).toBe(2);
  });

  it('serves a stale entry while one reload runs, then the reloaded one', async () => {
    now = 0;
    const cache = new TtlCache<number>(1000, 10, 5000, clock);
    let loads = 0;
    let release: () => void = () => undefined;
    const slow = () => new Promise<number>((resolve) => (release = () => resolve(++loads)));
    const first = cache.get('k', slow);
    release();
    expect(await first).toBe(1);
    now = 2000;
    expect(await cache.get('k', slow)).toBe(1);
    expect(await cache.get('k', slow)).toBe(1);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.get('k', slow)).toBe(2);
    expect(loads).toBe(2);
    now = 2000 + 1000 + 5000;
    const late = cache.get('k', slow);
    release();
    expect(await late).toBe(3);
  });

  it('does not keep what `keep` refuses, and evicts the oldest entries beyond its size', async () => {
    now = 0;
    const cache = new TtlCache<number | null>(1000, 2, 0, clock);
    let loads = 0;
    expect(await cache.get('missing', async () => (loads++, null), (v) => v !== null)).toBeNull();
    expect(await cache.get('missing', async () => (loads++, 7), (v) => v !== null)).toBe(7);
    expect(loads).toBe(2);
    await cache.get('a', async () => 1);
    await cache.get('b', async () => 2);
    expect(await cache.get('missing', async () => 8)).toBe(8);
  });
});
