import { CommuneRecord } from './commune-records';

/** A commune as it exists today: the only thing a tier can be decided from. */
export interface CurrentCommune {
  readonly code: string;
  readonly name: string;
  readonly departement: string;
  readonly region: string;
  /** Undefined for communes nobody lives in (TAAF, Clipperton): they cannot be resolved. */
  readonly population?: number;
  readonly postalCodes: readonly string[];
}

/** Where a code that is not a current commune points to, by the rules of DESIGN.md. */
function targetOf(record: CommuneRecord): string | undefined {
  switch (record.type) {
    case 'commune-actuelle':
      return undefined;
    case 'arrondissement-municipal':
      // Paris/Lyon/Marseille arrondissements carry their own (small) population; the tier is the
      // city's, so Paris 1er (15k inhabitants) is `large`.
      return record.commune;
    case 'commune-deleguee':
    case 'commune-associee':
      return record.chefLieu;
    default: {
      const unreachable: never = record.type;
      return unreachable;
    }
  }
}

/**
 * Maps every code of the data (current communes, arrondissements, déléguées, associées) to the
 * current commune it stands for.
 *
 * Current communes are indexed in a first pass, so when a code is both a commune nouvelle and its
 * chef-lieu commune déléguée (584 codes in 6.0.0, 2.1 million people) the current commune, which
 * has the population, wins whatever the order of the records. Aliases are indexed only from
 * current communes, never through another alias, so there are no chains to follow.
 * A dangling alias or a repeated current code means the data is not what this code was written
 * for: it throws at start-up instead of refusing real people later.
 */
export function indexCurrentCommunes(records: readonly CommuneRecord[]): Map<string, CurrentCommune> {
  const byCode = new Map<string, CurrentCommune>();
  for (const record of records) {
    if (record.type !== 'commune-actuelle') continue;
    if (byCode.has(record.code)) throw new Error(`commune ${record.code} appears twice as commune-actuelle`);
    byCode.set(record.code, {
      code: record.code,
      name: record.nom,
      departement: record.departement,
      region: record.region,
      population: record.population,
      postalCodes: record.codesPostaux ?? [],
    });
  }
  const aliases = new Map<string, CurrentCommune>();
  for (const record of records) {
    const target = targetOf(record);
    if (target === undefined || byCode.has(record.code)) continue;
    const current = byCode.get(target);
    if (current === undefined) {
      throw new Error(`${record.type} ${record.code} points to ${target}, which is not a current commune`);
    }
    const earlier = aliases.get(record.code);
    if (earlier !== undefined && earlier !== current) {
      throw new Error(`code ${record.code} points to both ${earlier.code} and ${current.code}`);
    }
    aliases.set(record.code, current);
  }
  for (const [code, current] of aliases) byCode.set(code, current);
  return byCode;
}
