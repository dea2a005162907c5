import type { Tier } from '@app/events';

/**
 * Why a territory was refused. API.md names two error kinds (422 `unknown-territory` and 422
 * `ambiguous-postal-code`); a malformed code is reported as `unknown-territory` too, so clients
 * handle one kind, and `reason` + `detail` say what exactly was wrong.
 */
export type UnknownTerritoryReason =
  /** Not 5 digits (commune codes may also be 2A/2B + 3 digits). */
  | 'malformed-code'
  /** Well-formed but not in the data (including former codes of merged communes). */
  | 'unknown-code'
  /** In the data but nobody lives there (TAAF, Clipperton): no tier can be decided. */
  | 'no-population';

export interface UnknownTerritory {
  readonly kind: 'unknown-territory';
  readonly reason: UnknownTerritoryReason;
  /** A sentence for humans, naming the code (and the commune when there is one). */
  readonly detail: string;
}

/** One commune the participant can pick instead of an ambiguous postal code. */
export interface PostalCodeCandidate {
  readonly communeCode: string;
  readonly name: string;
  readonly population: number;
  readonly tier: Tier;
}

export interface AmbiguousPostalCode {
  readonly kind: 'ambiguous-postal-code';
  readonly postalCode: string;
  /** What the communes behind the postal code disagree on; both when they do. */
  readonly spans: readonly ('tiers' | 'departements')[];
  readonly detail: string;
  /** Sorted by population, largest first (then by code, so the order is stable). */
  readonly candidates: readonly PostalCodeCandidate[];
}

export type TerritoryError = UnknownTerritory | AmbiguousPostalCode;

export const unknownTerritory = (reason: UnknownTerritoryReason, detail: string): UnknownTerritory =>
  Object.freeze({ kind: 'unknown-territory', reason, detail });
