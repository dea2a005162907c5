import type { Pool, PoolClient } from 'pg';
import { AsOf, asOfFrom } from './as-of';

export interface ReadModelsOptions {
  readonly pool: Pool;
  /** Schema of the projector's read models (validated as an identifier by the config). */
  readonly schema: string;
  /** Projection name in projection_offsets. */
  readonly projection: string;
  readonly topicPrefix: string;
}

/**
 * Access to the Postgres read models. The projector commits its offsets in the same transaction
 * as the rows, so reading both in one snapshot (one statement, or one REPEATABLE READ
 * transaction) gives figures and the exact log positions they reflect.
 */
export class ReadModels {
  readonly pool: Pool;
  readonly schema: string;
  readonly projection: string;
  readonly topicPrefix: string;

  constructor(options: ReadModelsOptions) {
    this.pool = options.pool;
    this.schema = options.schema;
    this.projection = options.projection;
    this.topicPrefix = options.topicPrefix;
  }

  /** `schema.table`. */
  t(table: string): string {
    return `${this.schema}.${table}`;
  }

  /** A SQL expression (json array of [topic, partition, next offset]) to embed in one statement. */
  offsetsJsonSql(projectionParam: string): string {
    return `(SELECT coalesce(json_agg(json_build_array(topic, partition, next_offset::text)), '[]'::json)
             FROM ${this.t('projection_offsets')} WHERE projection = ${projectionParam})`;
  }

  asOfFromJson(json: readonly (readonly [string, number, string])[], at = new Date()): AsOf {
    return asOfFrom(
      json.map(([topic, partition, nextOffset]) => ({ topic, partition, nextOffset })),
      this.topicPrefix,
      at,
    );
  }

  /** The positions of the projection as `client`'s transaction sees them. */
  async readAsOf(client: PoolClient): Promise<AsOf> {
    const at = new Date();
    const offsets = await client.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT topic, partition, next_offset::text AS next_offset FROM ${this.t('projection_offsets')} WHERE projection = $1`,
      [this.projection],
    );
    return asOfFrom(
      offsets.rows.map((r) => ({ topic: r.topic, partition: r.partition, nextOffset: r.next_offset })),
      this.topicPrefix,
      at,
    );
  }

  /** Runs `work` in a read-only REPEATABLE READ transaction: every statement sees one snapshot. */
  async snapshot<T>(work: (client: PoolClient, asOf: AsOf) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const result = await work(client, await this.readAsOf(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
