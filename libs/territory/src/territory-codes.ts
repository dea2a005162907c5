/**
 * Shape checks for the codes a participant sends. They run before any lookup so that a typo gets
 * a message about the format rather than a bare "unknown". No trimming or digit padding: the
 * HTTP edge decides whether to forgive whitespace; this lib answers for exactly what it is given.
 */

/** INSEE commune code: 5 digits, or Corsica's 2A/2B followed by 3 digits (overseas are 97xxx/98xxx). */
const COMMUNE_CODE = /^(\d{5}|2[AB]\d{3})$/;
const POSTAL_CODE = /^\d{5}$/;

/** The commune code in its canonical form (Corsican letter upper-cased), or undefined if malformed. */
export function normaliseCommuneCode(raw: string): string | undefined {
  // A JSON body that skipped validation can carry a number or null: treat it as malformed, not crash.
  // Length first, so a megabyte of junk is not upper-cased before being refused.
  if (typeof raw !== 'string' || raw.length !== 5) return undefined;
  const upper = raw.toUpperCase();
  return COMMUNE_CODE.test(upper) ? upper : undefined;
}

export function isPostalCode(raw: string): boolean {
  return typeof raw === 'string' && POSTAL_CODE.test(raw);
}

/** Echoes a rejected input in an error detail without letting a huge or multi-line input through. */
export function quoteInput(raw: string): string {
  if (typeof raw !== 'string') return String(raw);
  const shown = raw.length > 20 ? `${raw.slice(0, 20)}…` : raw;
  return JSON.stringify(shown);
}
