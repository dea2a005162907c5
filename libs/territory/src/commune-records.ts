/**
 * The subset of `@etalab/decoupage-administratif` data/communes.json this lib relies on, with the
 * package's own (French) field names so a record can be compared with the file by eye.
 * Parsing checks every field we read: a new package version that changes the shape must fail at
 * start-up, not hand out wrong tiers.
 */

export const COMMUNE_RECORD_TYPES = [
  'commune-actuelle',
  'arrondissement-municipal',
  'commune-deleguee',
  'commune-associee',
] as const;
export type CommuneRecordType = (typeof COMMUNE_RECORD_TYPES)[number];

export interface CommuneRecord {
  readonly code: string;
  readonly nom: string;
  readonly type: CommuneRecordType;
  readonly departement: string;
  readonly region: string;
  /** Absent on déléguées/associées, and on communes nobody lives in (TAAF, Clipperton). */
  readonly population?: number;
  readonly codesPostaux?: readonly string[];
  /** arrondissement-municipal only: the city it belongs to (Paris, Lyon, Marseille). */
  readonly commune?: string;
  /** commune-deleguee / commune-associee only: the current commune it is part of. */
  readonly chefLieu?: string;
}

type Fields = Readonly<Record<string, unknown>>;

const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isRecordType = (value: unknown): value is CommuneRecordType =>
  typeof value === 'string' && (COMMUNE_RECORD_TYPES as readonly string[]).includes(value);

function requiredString(fields: Fields, key: string, where: string): string {
  const value = fields[key];
  if (typeof value !== 'string' || value === '') throw new TypeError(`${where}: "${key}" must be a non-empty string`);
  return value;
}

function optionalString(fields: Fields, key: string, where: string): string | undefined {
  return fields[key] === undefined ? undefined : requiredString(fields, key, where);
}

function optionalPopulation(fields: Fields, where: string): number | undefined {
  const value = fields['population'];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${where}: "population" must be a non-negative integer`);
  }
  return value;
}

function optionalPostalCodes(fields: Fields, where: string): readonly string[] | undefined {
  const value = fields['codesPostaux'];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new TypeError(`${where}: "codesPostaux" must be an array of strings`);
  }
  return value;
}

function parseCommuneRecord(value: unknown, position: number): CommuneRecord {
  if (!isFields(value)) throw new TypeError(`communes[${position}]: not an object`);
  const code = requiredString(value, 'code', `communes[${position}]`);
  const where = `commune ${code}`;
  const type = value['type'];
  if (!isRecordType(type)) throw new TypeError(`${where}: unexpected "type" ${JSON.stringify(type)}`);
  const record: CommuneRecord = {
    code,
    nom: requiredString(value, 'nom', where),
    type,
    departement: requiredString(value, 'departement', where),
    region: requiredString(value, 'region', where),
    population: optionalPopulation(value, where),
    codesPostaux: optionalPostalCodes(value, where),
    commune: optionalString(value, 'commune', where),
    chefLieu: optionalString(value, 'chefLieu', where),
  };
  if (type === 'arrondissement-municipal' && record.commune === undefined) {
    throw new TypeError(`${where}: an arrondissement-municipal needs "commune"`);
  }
  if ((type === 'commune-deleguee' || type === 'commune-associee') && record.chefLieu === undefined) {
    throw new TypeError(`${where}: a ${type} needs "chefLieu"`);
  }
  return record;
}

/** Validates the parsed JSON of communes.json (or a test's handful of records). */
export function parseCommuneRecords(json: unknown): CommuneRecord[] {
  if (!Array.isArray(json)) throw new TypeError('communes: expected an array of records');
  return json.map((value: unknown, position) => parseCommuneRecord(value, position));
}
