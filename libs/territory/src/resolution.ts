import type { Territory, Tier } from '@app/events';
import { AmbiguousPostalCode, UnknownTerritory } from './territory-errors';

/**
 * What a participant's territory resolved to. A commune code (or a postal code with a single
 * commune behind it) names the commune; a postal code shared by several communes of the same tier
 * and département names only the postal code, département and region, since picking one of the
 * communes would invent a fact. `Territory` of @app/events is the commune-named case; the event
 * type must widen to this shape to carry the postal-code-only case.
 */
export interface ResolvedTerritory {
  readonly communeCode?: string;
  readonly communeName?: string;
  readonly postalCode?: string;
  readonly departement: string;
  readonly region: string;
  readonly population?: number;
}

export type Resolution<TTerritory, TError> =
  | { readonly ok: true; readonly tier: Tier; readonly territory: TTerritory }
  | { readonly ok: false; readonly error: TError };

export type CommuneResolution = Resolution<Territory, UnknownTerritory>;
export type PostalCodeResolution = Resolution<ResolvedTerritory, UnknownTerritory | AmbiguousPostalCode>;
