import { PoolClient } from 'pg';

export interface IncrementSpec {
  readonly table: string;
  /** Key columns and their SQL array types, e.g. [['proposal_id', 'uuid'], ['tier', 'text']]. */
  readonly keys: readonly (readonly [string, string])[];
  readonly counters: readonly string[];
}

/**
 * Adds signed deltas to counter rows with set-based statements. Not a single
 * INSERT … ON CONFLICT DO UPDATE: Postgres checks CHECK constraints on the row proposed for
 * insertion before it detects the conflict, so a negative delta (a vote moving away) would be
 * refused even though the stored count covers it. Hence: create the missing rows at zero, lock
 * the rows in key order (concurrent batches then cannot deadlock), and add. The CHECKs still
 * refuse any result below zero, which aborts the whole batch.
 * `rows` must be sorted by key, each row being its key values followed by one delta per counter.
 */
export const incrementRows = async (client: PoolClient, spec: IncrementSpec, rows: readonly (readonly unknown[])[]): Promise<void> => {
  if (rows.length === 0) return;
  const keyNames = spec.keys.map(([name]) => name);
  const columns = [...keyNames, ...spec.counters];
  const types = [...spec.keys.map(([, type]) => type), ...spec.counters.map(() => 'int')];
  const params = columns.map((_c, i) => rows.map((row) => row[i]));
  const source = `unnest(${types.map((type, i) => `$${i + 1}::${type}[]`).join(', ')}) AS d (${columns.join(', ')})`;
  const keyList = keyNames.join(', ');
  const matches = (left: string, right: string): string => keyNames.map((k) => `${left}.${k} = ${right}.${k}`).join(' AND ');
  const keySource = `unnest(${spec.keys.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')}) AS d (${keyList})`;
  await client.query(
    `INSERT INTO ${spec.table} (${keyList}) SELECT ${keyList} FROM ${keySource} ORDER BY ${keyList} ON CONFLICT (${keyList}) DO NOTHING`,
    params.slice(0, keyNames.length),
  );
  await client.query(
    `WITH d AS (SELECT * FROM ${source}),
     locked AS MATERIALIZED (
       SELECT ${keyNames.map((k) => `x.${k}`).join(', ')} FROM ${spec.table} x JOIN d ON ${matches('x', 'd')}
       ORDER BY ${keyNames.map((k) => `x.${k}`).join(', ')} FOR UPDATE OF x)
     UPDATE ${spec.table} x SET ${spec.counters.map((c) => `${c} = x.${c} + d.${c}`).join(', ')}
     FROM d JOIN locked l ON ${matches('l', 'd')}
     WHERE ${matches('x', 'd')}`,
    params,
  );
};
