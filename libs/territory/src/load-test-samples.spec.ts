import { TIERS } from '@app/events';
import { loadTerritoryIndex } from './load-territory-index';
import { ambiguousPostalCodes, sampleCommunes } from './load-test-samples';

/** A small seeded generator (mulberry32), so the test can check reproducibility. */
const seeded = (seed: number) => (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

describe('load-test samples', () => {
  const index = loadTerritoryIndex();

  it.each(TIERS)('draws real %s communes that resolve to that tier, by code and by accepted postal code', (tier) => {
    const samples = sampleCommunes(tier, 50, seeded(1));
    expect(samples).toHaveLength(50);
    for (const sample of samples) {
      expect(index.resolveCommune(sample.communeCode)).toMatchObject({ ok: true, tier });
      for (const postalCode of sample.acceptedPostalCodes) expect(index.resolvePostalCode(postalCode)).toMatchObject({ ok: true, tier });
    }
  });

  it('gives the same sample for the same seed', () => {
    expect(sampleCommunes('medium', 20, seeded(7))).toEqual(sampleCommunes('medium', 20, seeded(7)));
  });

  it('refuses a negative or fractional size', () => {
    expect(() => sampleCommunes('rural', -1, Math.random)).toThrow(RangeError);
    expect(() => sampleCommunes('rural', 1.5, Math.random)).toThrow(RangeError);
  });

  it('lists the 159 ambiguous postal codes, each refused by the resolver', () => {
    const ambiguous = ambiguousPostalCodes();
    expect(ambiguous).toHaveLength(144 + 15);
    for (const { postalCode } of ambiguous) {
      expect(index.resolvePostalCode(postalCode)).toMatchObject({ ok: false, error: { kind: 'ambiguous-postal-code' } });
    }
  });
});
