import { CommuneRecord } from './commune-records';
import { CurrentCommune, indexCurrentCommunes } from './current-communes';
import { decidePostalCode } from './postal-code-resolution';
import { CommuneResolution, PostalCodeResolution } from './resolution';
import { isPostalCode, normaliseCommuneCode, quoteInput } from './territory-codes';
import { UnknownTerritory, UnknownTerritoryReason, unknownTerritory } from './territory-errors';
import { tierOfPopulation } from './tier-of-population';

/**
 * Every answer is computed once, when the index is built, so a lookup is one Map read and no
 * allocation; answers are frozen because they are shared by every caller. Build it once per
 * process (see loadTerritoryIndex); tests build small ones from a handful of records.
 */
export class TerritoryIndex {
  /** Every code of the data (current, arrondissement, déléguée, associée) → its current commune. */
  private readonly communeByCode: ReadonlyMap<string, CurrentCommune>;
  private readonly byCommuneCode = new Map<string, CommuneResolution>();
  /** Postal code → the distinct current communes behind it, and the decision taken for it. */
  private readonly communesByPostalCode = new Map<string, readonly CurrentCommune[]>();
  private readonly byPostalCode = new Map<string, PostalCodeResolution>();

  constructor(records: readonly CommuneRecord[]) {
    this.communeByCode = indexCurrentCommunes(records);
    for (const [code, commune] of this.communeByCode) {
      this.byCommuneCode.set(code, deepFreeze(resolveCurrentCommune(code, commune)));
    }
    const postal = new Map<string, Set<CurrentCommune>>();
    for (const record of records) {
      // Arrondissements carry postal codes too: mapped to their city, they add no new commune.
      const commune = this.communeByCode.get(record.code);
      if (commune === undefined) continue;
      for (const postalCode of record.codesPostaux ?? []) {
        const communes = postal.get(postalCode) ?? new Set<CurrentCommune>();
        postal.set(postalCode, communes.add(commune));
      }
    }
    for (const [postalCode, communes] of postal) {
      const list = Object.freeze([...communes]);
      this.communesByPostalCode.set(postalCode, list);
      this.byPostalCode.set(postalCode, deepFreeze(decidePostalCode(postalCode, list)));
    }
  }

  resolveCommune(code: string): CommuneResolution {
    const normalised = normaliseCommuneCode(code);
    if (normalised === undefined) {
      return refusal('malformed-code', `commune code ${quoteInput(code)} is malformed: expected 5 digits, or 2A/2B followed by 3 digits`);
    }
    return (
      this.byCommuneCode.get(normalised) ??
      refusal('unknown-code', `commune code ${normalised} is not a commune in the territory data`)
    );
  }

  resolvePostalCode(postalCode: string): PostalCodeResolution {
    if (!isPostalCode(postalCode)) {
      return refusal('malformed-code', `postal code ${quoteInput(postalCode)} is malformed: expected 5 digits`);
    }
    return this.byPostalCode.get(postalCode) ?? refusal('unknown-code', `postal code ${postalCode} is not in the territory data`);
  }

  /** Current communes, each once, in code order (for statistics and load-test samples). */
  currentCommunes(): CurrentCommune[] {
    const distinct = new Set(this.communeByCode.values());
    return [...distinct].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  }

  /** Every postal code of the data with the distinct current communes behind it, in postal-code order. */
  postalCodes(): [postalCode: string, communes: readonly CurrentCommune[]][] {
    return [...this.communesByPostalCode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

function resolveCurrentCommune(code: string, commune: CurrentCommune): CommuneResolution {
  // A population of 0 (Verdun's "villages morts pour la France") is no population either:
  // nobody can live there, so no participant can claim it.
  if (commune.population === undefined || commune.population === 0) {
    const shown = code === commune.code ? `${code} (${commune.name})` : `${code} (part of ${commune.code} ${commune.name})`;
    return refusal('no-population', `commune ${shown} has no population in the territory data, so no tier can be decided`);
  }
  return {
    ok: true,
    tier: tierOfPopulation(commune.population),
    territory: {
      communeCode: commune.code,
      communeName: commune.name,
      departement: commune.departement,
      region: commune.region,
      population: commune.population,
    },
  };
}

function refusal(reason: UnknownTerritoryReason, detail: string): { readonly ok: false; readonly error: UnknownTerritory } {
  return { ok: false, error: unknownTerritory(reason, detail) };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
