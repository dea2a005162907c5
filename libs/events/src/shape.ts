/**
 * A tiny structural checker for decoding events at the Kafka edge. Each checker returns the
 * problems it found (empty = valid), with a JSON-pointer-like path, so a dead letter says why.
 */
export type Check = (value: unknown, path: string) => string[];

const fail = (path: string, expected: string, value: unknown): string[] => [
  `${path || '/'}: expected ${expected}, got ${value === null ? 'null' : typeof value}`,
];

export const str =
  (opts: { min?: number; max?: number; pattern?: RegExp } = {}): Check =>
  (value, path) => {
    if (typeof value !== 'string') return fail(path, 'string', value);
    if (opts.min !== undefined && value.length < opts.min) return [`${path}: shorter than ${opts.min}`];
    if (opts.max !== undefined && value.length > opts.max) return [`${path}: longer than ${opts.max}`];
    if (opts.pattern && !opts.pattern.test(value)) return [`${path}: does not match ${opts.pattern}`];
    return [];
  };

export const num =
  (opts: { int?: boolean; min?: number; max?: number } = {}): Check =>
  (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return fail(path, 'finite number', value);
    if (opts.int && !Number.isInteger(value)) return [`${path}: expected an integer`];
    if (opts.min !== undefined && value < opts.min) return [`${path}: below ${opts.min}`];
    if (opts.max !== undefined && value > opts.max) return [`${path}: above ${opts.max}`];
    return [];
  };

export const literal =
  (...allowed: readonly (string | number)[]): Check =>
  (value, path) =>
    allowed.includes(value as string | number) ? [] : [`${path}: expected one of ${allowed.join(', ')}`];

export const arrayOf =
  (item: Check, opts: { max?: number } = {}): Check =>
  (value, path) => {
    if (!Array.isArray(value)) return fail(path, 'array', value);
    if (opts.max !== undefined && value.length > opts.max) return [`${path}: more than ${opts.max} items`];
    return value.flatMap((v, i) => item(v, `${path}/${i}`));
  };

export const optional =
  (check: Check): Check =>
  (value, path) =>
    value === undefined ? [] : check(value, path);

/** An object with exactly these fields (unknown fields are reported: a published shape is closed). */
export const obj =
  (fields: Record<string, Check>, opts: { open?: boolean } = {}): Check =>
  (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, 'object', value);
    const record = value as Record<string, unknown>;
    const problems = Object.entries(fields).flatMap(([name, check]) => check(record[name], `${path}/${name}`));
    if (!opts.open) {
      for (const name of Object.keys(record)) {
        if (!(name in fields)) problems.push(`${path}/${name}: unknown field`);
      }
    }
    return problems;
  };
