import type { ClientBase } from 'pg';

/**
 * Catalog work of a rebuild on the Postgres side: copy the live read-model schema's tables into a
 * fresh schema (same columns, defaults, CHECKs, generated columns, keys, indexes with their
 * names, comments, owners and grants), describe a schema in a schema-neutral form to prove the
 * copy is faithful, and find the views outside the schema that are bound to its tables.
 *
 * Only tables (with their indexes and constraints) can live in the read-model schema: a view,
 * sequence, function, trigger, policy, foreign key or default privilege there is refused with a
 * clear message, because `CREATE TABLE … (LIKE …)` would not carry it over.
 */

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** Refuses anything but a plain lower-case identifier (schemas are interpolated into SQL). */
export const assertIdentifier = (name: string): string => {
  if (!IDENT.test(name)) throw new Error(`not a plain lower-case SQL identifier: ${JSON.stringify(name)}`);
  return name;
};

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export const schemaExists = async (client: ClientBase, schema: string): Promise<boolean> =>
  (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;

export const tableNames = async (client: ClientBase, schema: string): Promise<string[]> =>
  (
    await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
      [schema],
    )
  ).rows.map((r) => r.relname);

/** What a table copy would lose; empty when the schema holds only copyable tables. */
export const unsupportedObjects = async (client: ClientBase, schema: string): Promise<string[]> => {
  const result = await client.query<{ what: string }>(
    `WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = $1)
     SELECT format('%s %s', CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
                    WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'c' THEN 'composite type'
                    ELSE 'relation of kind ' || c.relkind::text END, c.relname) AS what
       FROM pg_class c, ns WHERE c.relnamespace = ns.oid AND c.relkind NOT IN ('r', 'i')
     UNION ALL SELECT format('function %s', p.proname) FROM pg_proc p, ns WHERE p.pronamespace = ns.oid
     UNION ALL SELECT format('type %s', t.typname) FROM pg_type t, ns
       WHERE t.typnamespace = ns.oid AND t.typtype IN ('d', 'e', 'r', 'm')
     UNION ALL SELECT format('trigger %s on %s', t.tgname, c.relname) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid, ns
       WHERE c.relnamespace = ns.oid AND NOT t.tgisinternal
     UNION ALL SELECT format('policy %s on %s', p.polname, c.relname) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid, ns
       WHERE c.relnamespace = ns.oid
     UNION ALL SELECT format('foreign key %s', k.conname) FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid LEFT JOIN pg_class r ON r.oid = k.confrelid, ns
       WHERE k.contype = 'f' AND (c.relnamespace = ns.oid OR r.relnamespace = ns.oid)
     UNION ALL SELECT format('column privileges on %s.%s', c.relname, a.attname) FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid, ns WHERE c.relnamespace = ns.oid AND a.attacl IS NOT NULL
     UNION ALL SELECT format('column default %s.%s uses a sequence', c.relname, a.attname) FROM pg_attrdef d
       JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum JOIN pg_class c ON c.oid = d.adrelid, ns
       WHERE c.relnamespace = ns.oid AND pg_get_expr(d.adbin, d.adrelid) ILIKE '%nextval(%'
     UNION ALL SELECT 'default privileges in the schema' FROM pg_default_acl d, ns WHERE d.defaclnamespace = ns.oid
     UNION ALL SELECT format('%s depends on %s', p.oid::regprocedure, c.relname) FROM pg_depend d
       JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
       JOIN pg_class c ON d.refclassid = 'pg_class'::regclass AND c.oid = d.refobjid, ns
       WHERE c.relnamespace = ns.oid
     UNION ALL SELECT format('materialized view %s.%s reads %s', vn.nspname, v.relname, c.relname) FROM pg_depend d
       JOIN pg_rewrite w ON d.classid = 'pg_rewrite'::regclass AND w.oid = d.objid
       JOIN pg_class v ON v.oid = w.ev_class JOIN pg_namespace vn ON vn.oid = v.relnamespace
       JOIN pg_class c ON d.refclassid = 'pg_class'::regclass AND c.oid = d.refobjid, ns
       WHERE c.relnamespace = ns.oid AND v.relkind = 'm'`,
    [schema],
  );
  return [...new Set(result.rows.map((r) => r.what))].sort();
};

interface AclEntry {
  grantee: string;
  privilege: string;
  grantable: boolean;
}

const aclEntries = async (client: ClientBase, aclExpression: string, params: unknown[]): Promise<AclEntry[] | null> => {
  const acl = await client.query<{ acl: string | null }>(`SELECT (${aclExpression})::text AS acl`, params);
  if (acl.rows[0]?.acl == null) return null;
  const rows = await client.query<{ grantee: string; privilege: string; grantable: boolean }>(
    `SELECT CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee, e.privilege_type AS privilege,
            e.is_grantable AS grantable
     FROM aclexplode((${aclExpression})) e LEFT JOIN pg_roles r ON r.oid = e.grantee ORDER BY 1, 2`,
    params,
  );
  return rows.rows;
};

/** Makes `target`'s privileges those of the source's ACL (NULL = the defaults, left as they are). */
const copyAcl = async (client: ClientBase, entries: AclEntry[] | null, objectSql: string, owner: string): Promise<void> => {
  if (entries === null) return;
  await client.query(`REVOKE ALL ON ${objectSql} FROM PUBLIC`);
  await client.query(`REVOKE ALL ON ${objectSql} FROM ${quoteIdent(owner)}`);
  for (const e of entries) {
    await client.query(`GRANT ${e.privilege} ON ${objectSql} TO ${e.grantee}${e.grantable ? ' WITH GRANT OPTION' : ''}`);
  }
};

/**
 * Creates `fresh` with every table of `live`: `LIKE … INCLUDING ALL EXCLUDING INDEXES`, then the
 * primary/unique/exclusion constraints and the other indexes under their original names (LIKE
 * would invent new index names, which later migrations naming an index would not find), the
 * table, index and schema comments, owners and grants. Run inside the caller's transaction.
 */
export const createSchemaLike = async (client: ClientBase, live: string, fresh: string): Promise<void> => {
  assertIdentifier(live);
  assertIdentifier(fresh);
  // Catalog functions then print every table name schema-qualified (retargetIndexDef relies on it).
  await client.query(`SELECT set_config('search_path', '', true)`);
  const problems = await unsupportedObjects(client, live);
  if (problems.length > 0) {
    throw new Error(`schema ${live} holds what a table copy cannot reproduce: ${problems.join('; ')} (see docs/read-models.md, Rebuild)`);
  }
  const schemaRow = await client.query<{ owner: string; comment: string | null }>(
    `SELECT pg_get_userbyid(n.nspowner) AS owner, obj_description(n.oid, 'pg_namespace') AS comment
     FROM pg_namespace n WHERE n.nspname = $1`,
    [live],
  );
  if (schemaRow.rowCount !== 1) throw new Error(`schema ${live} does not exist`);
  await client.query(`CREATE SCHEMA ${fresh}`);
  const { owner: schemaOwner, comment: schemaComment } = schemaRow.rows[0];
  if (schemaComment !== null) await client.query(`COMMENT ON SCHEMA ${fresh} IS ${literal(schemaComment)}`);
  await copyAcl(client, await aclEntries(client, `SELECT nspacl FROM pg_namespace WHERE nspname = $1`, [live]), `SCHEMA ${fresh}`, schemaOwner);

  for (const table of await tableNames(client, live)) {
    const source = `${live}.${quoteIdent(table)}`;
    const target = `${fresh}.${quoteIdent(table)}`;
    await client.query(`CREATE TABLE ${target} (LIKE ${source} INCLUDING ALL EXCLUDING INDEXES)`);
    const indexes = await client.query<{
      index: string;
      indexdef: string;
      index_comment: string | null;
      conname: string | null;
      condef: string | null;
      con_comment: string | null;
    }>(
      `SELECT ic.relname AS index, pg_get_indexdef(i.indexrelid) AS indexdef, obj_description(i.indexrelid, 'pg_class') AS index_comment,
              k.conname, pg_get_constraintdef(k.oid) AS condef, obj_description(k.oid, 'pg_constraint') AS con_comment
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
       LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
       WHERE i.indrelid = $1::regclass ORDER BY k.conname NULLS LAST, ic.relname`,
      [source],
    );
    for (const index of indexes.rows) {
      if (index.conname !== null && index.condef !== null) {
        await client.query(`ALTER TABLE ${target} ADD CONSTRAINT ${quoteIdent(index.conname)} ${index.condef}`);
        if (index.conname !== index.index) await client.query(`ALTER INDEX ${fresh}.${quoteIdent(index.conname)} RENAME TO ${quoteIdent(index.index)}`);
        if (index.con_comment !== null) {
          await client.query(`COMMENT ON CONSTRAINT ${quoteIdent(index.conname)} ON ${target} IS ${literal(index.con_comment)}`);
        }
      } else {
        await client.query(retargetIndexDef(index.indexdef, live, fresh));
      }
      if (index.index_comment !== null) await client.query(`COMMENT ON INDEX ${fresh}.${quoteIdent(index.index)} IS ${literal(index.index_comment)}`);
    }
    const tableRow = await client.query<{ owner: string; comment: string | null }>(
      `SELECT pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c WHERE c.oid = $1::regclass`,
      [source],
    );
    const { owner, comment } = tableRow.rows[0];
    if (comment !== null) await client.query(`COMMENT ON TABLE ${target} IS ${literal(comment)}`);
    await copyAcl(client, await aclEntries(client, `SELECT relacl FROM pg_class WHERE oid = $1::regclass`, [source]), `TABLE ${target}`, owner);
    const me = (await client.query<{ me: string }>('SELECT current_user AS me')).rows[0].me;
    if (owner !== me) await client.query(`ALTER TABLE ${target} OWNER TO ${quoteIdent(owner)}`);
  }
  const me = (await client.query<{ me: string }>('SELECT current_user AS me')).rows[0].me;
  if (schemaOwner !== me) await client.query(`ALTER SCHEMA ${fresh} OWNER TO ${quoteIdent(schemaOwner)}`);
};

/** `CREATE [UNIQUE] INDEX name ON [ONLY] live.table USING …` → the same on fresh.table. */
export const retargetIndexDef = (indexdef: string, live: string, fresh: string): string => {
  const match = /^(CREATE (?:UNIQUE )?INDEX \S+ ON (?:ONLY )?)([a-z_][a-z0-9_]*)\.(\S+ USING .*)$/s.exec(indexdef);
  if (!match || match[2] !== live) throw new Error(`cannot retarget index definition: ${indexdef}`);
  return `${match[1]}${fresh}.${match[3]}`;
};

export interface TableShape {
  readonly columns: readonly string[];
  readonly constraints: readonly string[];
  readonly indexes: readonly string[];
  readonly comment: string | null;
  readonly owner: string;
  readonly acl: string | null;
}

export interface SchemaShape {
  readonly owner: string;
  readonly comment: string | null;
  readonly acl: string | null;
  readonly tables: Readonly<Record<string, TableShape>>;
}

/**
 * Everything a reader or the projector could tell apart between two read-model schemas, written
 * without the schema's name: columns (type, NOT NULL, default, generation, collation, comment),
 * constraints, indexes (with names), comments, owners and grants. Two schemas with equal shapes
 * are interchangeable.
 */
export const describeSchema = async (client: ClientBase, schema: string): Promise<SchemaShape> => {
  assertIdentifier(schema);
  const neutral = (text: string): string => text.split(`${schema}.`).join('<schema>.');
  const head = await client.query<{ owner: string; comment: string | null; acl: string | null }>(
    `SELECT pg_get_userbyid(nspowner) AS owner, obj_description(oid, 'pg_namespace') AS comment,
            (SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(nspacl) a) AS acl
     FROM pg_namespace WHERE nspname = $1`,
    [schema],
  );
  if (head.rowCount !== 1) throw new Error(`schema ${schema} does not exist`);
  // One query per aspect for all the tables (the swap runs this while readers wait).
  const perTable = async (sql: string): Promise<Map<string, string[]>> => {
    const rows = await client.query<{ t: string; d: string[] }>(sql, [schema]);
    return new Map(rows.rows.map((r) => [r.t, r.d.map(neutral)]));
  };
  const columns = await perTable(
    `SELECT c.relname AS t, array_agg(format('%s %s%s%s%s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
              CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
              CASE WHEN a.attgenerated = 's' THEN ' GENERATED ' || pg_get_expr(d.adbin, d.adrelid)
                   WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END,
              CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END,
              CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END,
              coalesce(' -- ' || col_description(a.attrelid, a.attnum), '')) ORDER BY a.attnum) AS d
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = c.oid JOIN pg_type t ON t.oid = a.atttypid
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped GROUP BY c.relname`,
  );
  const constraints = await perTable(
    `SELECT c.relname AS t, array_agg(format('%s %s%s', k.conname, pg_get_constraintdef(k.oid),
              coalesce(' -- ' || obj_description(k.oid, 'pg_constraint'), '')) ORDER BY k.conname) AS d
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_constraint k ON k.conrelid = c.oid
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') GROUP BY c.relname`,
  );
  const indexes = await perTable(
    `SELECT c.relname AS t, array_agg(pg_get_indexdef(i.indexrelid) || coalesce(' -- ' || obj_description(i.indexrelid, 'pg_class'), '')
              ORDER BY ic.relname) AS d
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indrelid = c.oid
     JOIN pg_class ic ON ic.oid = i.indexrelid
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') GROUP BY c.relname`,
  );
  const info = await client.query<{ t: string; owner: string; comment: string | null; acl: string | null }>(
    `SELECT c.relname AS t, pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') AS comment,
            (SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(c.relacl) a) AS acl
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1`,
    [schema],
  );
  const tables: Record<string, TableShape> = {};
  for (const row of info.rows) {
    tables[row.t] = {
      columns: columns.get(row.t) ?? [],
      constraints: constraints.get(row.t) ?? [],
      indexes: indexes.get(row.t) ?? [],
      comment: row.comment,
      owner: row.owner,
      acl: row.acl,
    };
  }
  return { owner: head.rows[0].owner, comment: head.rows[0].comment, acl: head.rows[0].acl, tables };
};

/** Lines where two shapes differ (empty: interchangeable). */
export const shapeDifferences = (a: SchemaShape, b: SchemaShape, names: readonly [string, string]): string[] => {
  const out: string[] = [];
  const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
  for (const key of ['owner', 'comment', 'acl'] as const) if (!same(a[key], b[key])) out.push(`schema ${key}: ${JSON.stringify(a[key])} vs ${JSON.stringify(b[key])}`);
  for (const table of new Set([...Object.keys(a.tables), ...Object.keys(b.tables)])) {
    const x = a.tables[table];
    const y = b.tables[table];
    if (!x || !y) {
      out.push(`table ${table} only in ${x ? names[0] : names[1]}`);
      continue;
    }
    for (const key of ['columns', 'constraints', 'indexes', 'comment', 'owner', 'acl'] as const) {
      if (!same(x[key], y[key])) out.push(`${table} ${key}: ${JSON.stringify(x[key])} vs ${JSON.stringify(y[key])}`);
    }
  }
  return out;
};

export interface BoundView {
  readonly oid: number;
  /** Schema-qualified, quoted as needed. */
  readonly name: string;
  readonly options: readonly string[];
  /** pg_get_viewdef with an empty search_path: every table name is schema-qualified. */
  readonly definition: string;
}

/**
 * The views (in any other schema) whose query reads a table of `schema`. A view is bound to its
 * tables' OIDs, not their names: after a schema rename it still reads the renamed tables, so a
 * swap must recreate it. Call inside the swap transaction, BEFORE the rename, so definitions name
 * `schema.table`. Sets search_path to '' for the rest of the transaction.
 */
export const viewsBoundTo = async (client: ClientBase, schema: string): Promise<BoundView[]> => {
  await client.query(`SELECT set_config('search_path', '', true)`);
  const result = await client.query<{ oid: number; name: string; options: string[] | null; definition: string }>(
    `SELECT v.oid::int AS oid, quote_ident(vn.nspname) || '.' || quote_ident(v.relname) AS name, v.reloptions AS options,
            pg_get_viewdef(v.oid) AS definition
     FROM pg_class v JOIN pg_namespace vn ON vn.oid = v.relnamespace
     WHERE v.relkind = 'v' AND vn.nspname <> $1 AND EXISTS (
       SELECT 1 FROM pg_rewrite w JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
       JOIN pg_class t ON d.refclassid = 'pg_class'::regclass AND t.oid = d.refobjid
       JOIN pg_namespace tn ON tn.oid = t.relnamespace
       WHERE w.ev_class = v.oid AND tn.nspname = $1)
     ORDER BY v.oid`,
    [schema],
  );
  return result.rows.map((r) => ({ oid: r.oid, name: r.name, options: r.options ?? [], definition: r.definition }));
};

/**
 * `CREATE OR REPLACE VIEW` from a saved definition: the same OID, so grants (the analyst's
 * SELECT), comments, owner and the views built on this one are kept; only the tables it reads
 * are looked up again by name.
 */
export const recreateView = async (client: ClientBase, view: BoundView): Promise<void> => {
  const options = view.options.length > 0 ? ` WITH (${view.options.join(', ')})` : '';
  await client.query(`CREATE OR REPLACE VIEW ${view.name}${options} AS ${view.definition.trim().replace(/;$/, '')}`);
};
