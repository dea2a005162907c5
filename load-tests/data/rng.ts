import type { Rng } from '@app/territory';

/**
 * A seeded random source (mulberry32): the same seed gives the same fixtures on every machine,
 * so a failed run can be replayed with the same participants and texts.
 */
export const seededRng = (seed: number): Rng => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export const pick = <T>(items: readonly T[], rng: Rng): T => {
  if (items.length === 0) throw new RangeError('cannot pick from an empty list');
  return items[Math.floor(rng() * items.length)];
};

/** Fisher–Yates on a copy. */
export const shuffled = <T>(items: readonly T[], rng: Rng): T[] => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
};
