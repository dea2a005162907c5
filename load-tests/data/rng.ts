import type { Rng } from '@app/territory';
import { seededRandom } from '@app/testing';

/** A seeded random source: the same seed gives the same fixtures on every machine (mulberry32). */
export const seededRng: (seed: number) => Rng = seededRandom;

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
