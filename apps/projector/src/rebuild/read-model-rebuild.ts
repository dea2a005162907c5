import { randomBytes } from 'node:crypto';
import { TOPIC_NAMES, physicalTopic } from '@app/events';
import { partitionOffsetsWith } from '@app/kafka';
import type Redis from 'ioredis';
import { Admin, Kafka } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { PostgresProjection } from '../projection/postgres-projection';
import { partitionKey } from '../projection/projection-batch';
import { RedisProjection } from '../projection/redis-projection';
import { LogReplayer, LogReplayerOptions } from './log-replayer';
import {
  assertIdentifier,
  createSchemaLike,
  describeSchema,
  recreateView,
  schemaExists,
  shapeDifferences,
  tableNames,
  viewsBoundTo,
} from './pg-schema';
import { ProgressMeter, RebuildProgress, remainingRecords } from './progress';
import { activePrefix, deleteGeneration, generationExists, generationPrefix, pointerKeyOf, redisOffsets, switchGeneration } from './redis-generation';

export interface ReadModelRebuildOptions {
  readonly kafka: Kafka;
  /** The caller's pool (needs ≥ 3 connections: advisory lock, swap transaction, replay). */
  readonly pool: Pool;
  readonly redis: Redis;
  readonly topicPrefix: string;
  /** Live read-model schema (READMODEL_SCHEMA). Default 'readmodel'. */
  readonly schema?: string;
  /** Projection name in projection_offsets, the live projector's. Default 'postgres'. */
  readonly projection?: string;
  /** REDIS_PROJECTION_PREFIX: the base generation, base of the others (`${redisPrefix}-gen-<id>`) and of the pointer key `${redisPrefix}:active`. */
  readonly redisPrefix: string;
  readonly keystoreTable?: string;
  /** Names the fresh schema `${schema}_rebuild_<id>`, the retired one `${schema}_old_<id>`, the generation `${redisPrefix}-gen-<id>`. */
  readonly id?: string;
  /** Keep the retired schema and Redis generation (drop them later with the CLI's `drop`). */
  readonly keepOld?: boolean;
  /** Wait before dropping the retired schema and generation (in-flight reads finish). Default 60 s. */
  readonly graceMs?: number;
  /** lock_timeout of every lock the swap takes (a long read blocks the swap, never the reverse for long). Default 5 s. */
  readonly lockTimeoutMs?: number;
  /** Longest the live projector may be held while the replay reaches its positions. Default 15 s. */
  readonly switchTimeoutMs?: number;
  readonly switchAttempts?: number;
  /** Switch once at most this many records remain to the current high watermarks. Default 2,000. */
  readonly tailLag?: number;
  readonly progressIntervalMs?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  readonly log?: (message: string, extra?: Record<string, unknown>) => void;
  readonly replay?: Pick<LogReplayerOptions, 'maxBytesPerPartition' | 'partitionsConsumedConcurrently' | 'maxEventsPerApply'>;
}

export interface RebuildResult {
  readonly id: string;
  /** The live schema's name (now the rebuilt tables). */
  readonly schema: string;
  /** Where the previous tables went (dropped unless keepOld). */
  readonly retiredSchema: string;
  readonly pointerKey: string;
  /** The generation readers and the projector now use. */
  readonly redisPrefix: string;
  readonly retiredRedisPrefix: string;
  readonly droppedOld: boolean;
  /** Records replayed (events and undecodable records). */
  readonly records: number;
  readonly undecodable: number;
  readonly durationMs: number;
  /** From the replay's start (consumer group join included) to the watermarks taken at start. */
  readonly replayMs: number;
  /** Records of that phase / replayMs. */
  readonly replayEventsPerSecond: number;
  readonly switchAttempts: number;
  /** How long the live projector was held by the swap (its Postgres writes waited; reads did not, except during the rename). */
  readonly frozenMs: number;
  /**
   * Parts of frozenMs: settle (live Redis checkpoint stops moving), catchUp (replay reaches the
   * live checkpoints), lock (ACCESS EXCLUSIVE on the live tables and views: readers wait from
   * here), renamed (shape check, rename, views, Redis pointer, COMMIT: readers resume after).
   */
  readonly switchTimingsMs: SwitchTimings;
  /** Positions of the rebuilt schema at the switch ("topic:partition" → next offset). */
  readonly positions: Record<string, string>;
}

export interface SwitchTimings {
  settle: number;
  catchUp: number;
  lock: number;
  renamed: number;
}

/** An error retrying cannot fix: the rebuild stops and removes its fresh schema and generation. */
export class RebuildAborted extends Error {
  override name = 'RebuildAborted';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const defaultId = (): string =>
  `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}_${randomBytes(2).toString('hex')}`;

const maxOf = (...maps: ReadonlyMap<string, bigint>[]): Map<string, bigint> => {
  const out = new Map<string, bigint>();
  for (const map of maps) for (const [k, v] of map) if (v > (out.get(k) ?? -1n)) out.set(k, v);
  return out;
};

/**
 * Rebuilds the read models from offset 0 without downtime for readers (DESIGN.md invariant 4):
 *
 * 1. creates `${schema}_rebuild_<id>` with the live tables' exact shape and replays the whole log
 *    into it and into the Redis generation `${redisPrefix}-gen-<id>` (LogReplayer: big merged
 *    batches through the same PostgresProjection / RedisProjection code as the live projector),
 *    up to the high watermarks taken at start, then follows the tail until nearly caught up;
 * 2. switches, in one Postgres transaction: `LOCK live.projection_offsets IN EXCLUSIVE MODE`
 *    (the live projector's next batch waits; readers do not), let the replay reach the live
 *    checkpoints of both stores, lock every live table and bound view ACCESS EXCLUSIVE (short
 *    tries, see lockForRename; readers wait at most the few ms of the rename), save the definitions of the views bound to the live tables, rename
 *    `live → ${schema}_old_<id>` and `fresh → live`, recreate those views (same OIDs: grants and
 *    comments stay), switch the Redis pointer with an atomic check, COMMIT. The live projector's
 *    waiting batch then resolves `live.…` again and lands in the rebuilt tables, whose
 *    checkpoint is at or past the one it had: nothing skipped, nothing counted twice;
 * 3. after a grace period drops the retired schema and Redis generation (or keeps them).
 */
export class ReadModelRebuild {
  private readonly schema: string;
  private readonly projection: string;
  private readonly id: string;
  private readonly fresh: string;
  private readonly retired: string;
  private readonly generation: string;
  private readonly log: (message: string, extra?: Record<string, unknown>) => void;
  private replayer: LogReplayer | undefined;
  private phase: RebuildProgress['phase'] = 'replay';
  private targets: ReadonlyMap<string, bigint> = new Map();
  private admin: Admin | undefined;
  private redisSwitched = false;
  private pgSwitched = false;
  private cancelled = false;
  /** This run created the fresh schema (and may have written the generation): it removes them on failure. */
  private ownsFresh = false;

  constructor(private readonly options: ReadModelRebuildOptions) {
    this.schema = assertIdentifier(options.schema ?? 'readmodel');
    this.projection = options.projection ?? 'postgres';
    this.id = options.id ?? defaultId();
    if (!/^[a-z0-9_]{1,32}$/.test(this.id)) throw new Error(`rebuild id must be 1-32 of [a-z0-9_]: ${this.id}`);
    this.fresh = assertIdentifier(`${this.schema}_rebuild_${this.id}`);
    this.retired = assertIdentifier(`${this.schema}_old_${this.id}`);
    this.generation = generationPrefix(options.redisPrefix, this.id);
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Asks a running rebuild to stop before its switch: it then removes its fresh schema and
   * generation and run() rejects with RebuildAborted. Once the switch has begun it completes.
   */
  cancel(): void {
    this.cancelled = true;
  }

  private checkCancelled(): void {
    if (this.cancelled && this.phase !== 'switch' && this.phase !== 'done') throw new RebuildAborted('rebuild cancelled before the switch');
  }

  async run(): Promise<RebuildResult> {
    const startedAt = Date.now();
    const lock = await this.options.pool.connect();
    let progressTimer: NodeJS.Timeout | undefined;
    let oldRedisPrefix = '';
    try {
      const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`readmodel-rebuild:${this.schema}`]);
      if (!rows[0].ok) throw new RebuildAborted(`another rebuild of ${this.schema} is running`);
      oldRedisPrefix = await activePrefix(this.options.redis, this.options.redisPrefix);
      await this.prepare();
      this.ownsFresh = true;
      this.log('fresh schema and generation ready', { schema: this.fresh, redisPrefix: this.generation, liveRedisPrefix: oldRedisPrefix });

      this.admin = this.options.kafka.admin();
      await this.admin.connect();
      const replayer = this.newReplayer();
      this.targets = await this.highWatermarks(replayer.physicalTopics);
      const meter = new ProgressMeter(startedAt);
      const report = (): void => {
        const r = this.replayer;
        if (!r) return;
        const stats = r.stats();
        this.options.onProgress?.(meter.sample(Date.now(), stats.records, remainingRecords(this.targets, r.positions()), this.phase, stats.undecodable));
      };
      progressTimer = setInterval(report, this.options.progressIntervalMs ?? 1000);
      const replayStartedAt = Date.now();
      await this.startReplayer(replayer);

      // 1. Replay up to the watermarks taken at start.
      await this.waitForTargets(() => this.targets);
      const replayMs = Date.now() - replayStartedAt;
      const replayed = this.replayer?.stats().records ?? 0;
      const replayStats = this.replayer?.stats();
      this.log('replayed up to the start watermarks', { records: replayed, replayMs, applies: replayStats?.applies, applyMs: replayStats?.applyMs });
      report();

      // 2. Catch up the tail, then switch.
      this.phase = 'tail';
      await this.catchUpTail();
      this.phase = 'switch';
      report();
      const { attempts, frozenMs, timings, positions } = await this.switchOver(oldRedisPrefix);
      this.phase = 'done';
      report();
      clearInterval(progressTimer);
      progressTimer = undefined;
      const stats = this.replayer?.stats() ?? { records: 0, undecodable: 0 };
      await this.replayer?.deleteGroup();

      let droppedOld = false;
      if (!this.options.keepOld) {
        const graceMs = this.options.graceMs ?? 60_000;
        this.log('switched; dropping the retired schema and generation after the grace period', { graceMs, schema: this.retired, redisPrefix: oldRedisPrefix });
        await sleep(graceMs);
        try {
          await dropRetiredSchema(this.options.pool, this.retired, this.schema, this.options.lockTimeoutMs ?? 5000);
          await deleteGeneration(this.options.redis, this.options.redisPrefix, oldRedisPrefix);
          droppedOld = true;
        } catch (error) {
          // The rebuild itself succeeded: say what is left to drop instead of failing it.
          this.log('switched, but the retired schema/generation could not be dropped: drop them with `rebuild.cli.ts drop`', {
            schema: this.retired,
            redisPrefix: oldRedisPrefix,
            error: (error as Error).message,
          });
        }
      }
      return {
        id: this.id,
        schema: this.schema,
        retiredSchema: this.retired,
        pointerKey: pointerKeyOf(this.options.redisPrefix),
        redisPrefix: this.generation,
        retiredRedisPrefix: oldRedisPrefix,
        droppedOld,
        records: stats.records,
        undecodable: stats.undecodable,
        durationMs: Date.now() - startedAt,
        replayMs,
        replayEventsPerSecond: Math.round((replayed * 1000) / Math.max(1, replayMs)),
        switchAttempts: attempts,
        frozenMs,
        switchTimingsMs: timings,
        positions: Object.fromEntries([...positions].map(([k, v]) => [k, v.toString()])),
      };
    } catch (error) {
      await this.replayer?.stop().catch(() => undefined);
      await this.replayer?.deleteGroup().catch(() => undefined);
      if (this.ownsFresh && !this.pgSwitched && !this.redisSwitched) {
        await this.discardFresh().catch((e: Error) => this.log('could not remove the fresh schema/generation', { error: e.message }));
      } else if (this.redisSwitched !== this.pgSwitched) {
        this.log('rebuild failed half-switched: re-run the rebuild (the live projector keeps both stores exact meanwhile)', {
          pgSwitched: this.pgSwitched,
          redisSwitched: this.redisSwitched,
        });
      }
      throw error;
    } finally {
      if (progressTimer) clearInterval(progressTimer);
      await this.admin?.disconnect().catch(() => undefined);
      await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [`readmodel-rebuild:${this.schema}`]).catch(() => undefined);
      lock.release();
    }
  }

  private async prepare(): Promise<void> {
    const client = await this.options.pool.connect();
    try {
      if (!(await schemaExists(client, this.schema))) throw new RebuildAborted(`live schema ${this.schema} does not exist (run the migrations)`);
      for (const name of [this.fresh, this.retired]) {
        if (await schemaExists(client, name)) throw new RebuildAborted(`schema ${name} already exists: choose another id or drop it`);
      }
      if (await generationExists(this.options.redis, this.generation)) throw new RebuildAborted(`Redis generation ${this.generation} already has keys`);
      const others = await client.query<{ projection: string }>(
        `SELECT DISTINCT projection FROM ${this.schema}.projection_offsets WHERE projection <> $1`,
        [this.projection],
      );
      if (others.rowCount) {
        this.log('projection_offsets holds checkpoints of other projections; the rebuilt schema will not carry them', {
          projections: others.rows.map((r) => r.projection),
        });
      }
      // The switch requires the rebuilt checkpoints to cover every live one: a checkpoint of topics
      // this rebuild does not read (another TOPIC_PREFIX writing into the same read models) could
      // never be covered, so say it now rather than after the replay.
      const topics = new Set(TOPIC_NAMES.map((name) => physicalTopic(this.options.topicPrefix, name)));
      const foreign = [
        ...(await checkpointOf(client, this.schema, this.projection)).keys(),
        ...(await redisOffsets(this.options.redis, await activePrefix(this.options.redis, this.options.redisPrefix))).keys(),
      ].filter((key) => !topics.has(key.slice(0, key.lastIndexOf(':'))));
      if (foreign.length > 0) {
        throw new RebuildAborted(`the live checkpoints name topics outside TOPIC_PREFIX "${this.options.topicPrefix}": ${[...new Set(foreign)].join(', ')}`);
      }
      await client.query('BEGIN');
      await createSchemaLike(client, this.schema, this.fresh);
      const differences = shapeDifferences(await describeSchema(client, this.schema), await describeSchema(client, this.fresh), [this.schema, this.fresh]);
      if (differences.length > 0) throw new RebuildAborted(`the fresh schema differs from ${this.schema}: ${differences.join('; ')}`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private newReplayer(): LogReplayer {
    return new LogReplayer({
      kafka: this.options.kafka,
      topicPrefix: this.options.topicPrefix,
      projections: [
        new PostgresProjection({
          pool: this.options.pool,
          schema: this.fresh,
          projection: this.projection,
          ...(this.options.keystoreTable ? { keystoreTable: this.options.keystoreTable } : {}),
        }),
        new RedisProjection({ redis: this.options.redis, prefix: this.generation, pointerKey: null }),
      ],
      groupIdPrefix: `rebuild-${this.id}-`,
      ...this.options.replay,
    });
  }

  private async startReplayer(replayer: LogReplayer): Promise<void> {
    this.replayer = replayer;
    await replayer.start();
  }

  private async highWatermarks(topics: readonly string[]): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    for (const topic of topics) {
      for (const { partition, high } of await partitionOffsetsWith(this.admin as Admin, topic)) out.set(partitionKey(topic, partition), high);
    }
    return out;
  }

  private async waitForTargets(targets: () => ReadonlyMap<string, bigint>): Promise<void> {
    for (;;) {
      this.checkCancelled();
      const replayer = this.replayer as LogReplayer;
      if (replayer.error() !== undefined) throw replayer.error();
      if (remainingRecords(targets(), replayer.positions()) === 0) return;
      await sleep(100);
    }
  }

  /** Follows the log until at most `tailLag` records remain to the current high watermarks. */
  private async catchUpTail(): Promise<void> {
    const tailLag = this.options.tailLag ?? 2000;
    for (;;) {
      this.checkCancelled();
      const replayer = this.replayer as LogReplayer;
      if (replayer.error() !== undefined) throw replayer.error();
      this.targets = await this.highWatermarks(replayer.physicalTopics);
      if (remainingRecords(this.targets, replayer.positions()) <= tailLag) return;
      await sleep(250);
    }
  }

  private async switchOver(oldRedisPrefix: string): Promise<{ attempts: number; frozenMs: number; timings: SwitchTimings; positions: Map<string, bigint> }> {
    const attempts = this.options.switchAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.trySwitch(oldRedisPrefix);
        return { attempts: attempt, ...outcome };
      } catch (error) {
        if (error instanceof RebuildAborted || this.pgSwitched || attempt >= attempts) throw error;
        this.log('switch attempt failed; the old read models stay live, retrying', { attempt, error: (error as Error).message });
        if (!this.replayer?.isRunning()) {
          await this.replayer?.stop();
          await this.replayer?.deleteGroup();
          await this.startReplayer(this.newReplayer());
        }
        this.phase = 'tail';
        await this.catchUpTail();
        this.phase = 'switch';
        await sleep(Math.min(500 * attempt, 3000));
      }
    }
  }

  private async trySwitch(oldRedisPrefix: string): Promise<{ frozenMs: number; timings: SwitchTimings; positions: Map<string, bigint> }> {
    const lockTimeoutMs = this.options.lockTimeoutMs ?? 5000;
    const switchTimeoutMs = this.options.switchTimeoutMs ?? 15_000;
    const live = this.schema;
    const client = await this.options.pool.connect();
    let frozenAt = 0;
    /** Where the switch spends its time (ms): settle Redis, catch up, take the locks, check + rename + views + pointer + commit. */
    const timings: SwitchTimings = { settle: 0, catchUp: 0, lock: 0, renamed: 0 };
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('lock_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)`, [
        `${lockTimeoutMs}ms`,
        `${switchTimeoutMs + 4 * lockTimeoutMs + 10_000}ms`,
      ]);
      // The live projector's next batch waits here (its first statement writes the checkpoint);
      // EXCLUSIVE still lets every reader read.
      await client.query(`LOCK TABLE ${live}.projection_offsets IN EXCLUSIVE MODE`);
      frozenAt = Date.now();
      const livePg = await checkpointOf(client, live, this.projection);
      const liveRedis = this.redisSwitched ? new Map<string, bigint>() : await this.settledRedisOffsets(oldRedisPrefix);
      const replayer = this.replayer as LogReplayer;
      const topics = new Set(replayer.physicalTopics);
      const targets = new Map([...maxOf(livePg, liveRedis)].filter(([key]) => topics.has(key.slice(0, key.lastIndexOf(':')))));
      this.targets = maxOf(this.targets, targets);
      timings.settle = Date.now() - frozenAt;
      await replayer.waitUntil(targets, switchTimeoutMs);
      await replayer.halt();
      timings.catchUp = Date.now() - frozenAt - timings.settle;

      const tables = await tableNames(client, live);
      const views = await viewsBoundTo(client, live);
      let mark = Date.now();
      await lockForRename(client, [...tables.map((t) => `${live}.${t}`), ...views.map((v) => v.name)], lockTimeoutMs);
      timings.lock = Date.now() - mark;
      mark = Date.now();
      // Under the locks no migration can change the live tables any more: the shapes must still match.
      const differences = shapeDifferences(await describeSchema(client, live), await describeSchema(client, this.fresh), [live, this.fresh]);
      if (differences.length > 0) {
        throw new RebuildAborted(`${live} changed during the rebuild (a migration?): ${differences.join('; ')}; run the rebuild again`);
      }
      const freshPg = await checkpointOf(client, this.fresh, this.projection);
      for (const [key, offset] of livePg) {
        if ((freshPg.get(key) ?? 0n) < offset) throw new Error(`rebuilt checkpoint ${key} = ${freshPg.get(key) ?? 0n} is behind the live ${offset}`);
      }
      await client.query(`ALTER SCHEMA ${live} RENAME TO ${this.retired}`);
      await client.query(`ALTER SCHEMA ${this.fresh} RENAME TO ${live}`);
      for (const view of views) await recreateView(client, view);
      const stale = await viewsBoundTo(client, this.retired);
      if (stale.length > 0) throw new RebuildAborted(`views still read the retired tables: ${stale.map((v) => v.name).join(', ')}`);

      if (!this.redisSwitched) {
        const outcome = await switchGeneration(this.options.redis, this.options.redisPrefix, oldRedisPrefix, this.generation);
        if (!outcome.ok && outcome.reason === 'moved') {
          throw new RebuildAborted(`the Redis pointer moved to ${outcome.active} during the rebuild (another rebuild?)`);
        }
        if (!outcome.ok) {
          throw new Error(`the new Redis generation is behind the live one on ${[...outcome.deficits.keys()].join(', ')}`);
        }
        this.redisSwitched = true;
      }
      await client.query('COMMIT');
      this.pgSwitched = true;
      timings.renamed = Date.now() - mark;
      const frozenMs = Date.now() - frozenAt;
      this.log('switched', { schema: live, retiredSchema: this.retired, redisPrefix: this.generation, frozenMs, timingsMs: timings, views: views.map((v) => v.name) });
      await replayer.stop();
      return { frozenMs, timings, positions: freshPg };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * The live Redis checkpoint once it stops moving: the live projector applies Redis and Postgres
   * side by side, so once its Postgres writes wait on our lock, at most the batches already in
   * flight still reach Redis. The atomic pointer switch re-checks it anyway.
   */
  private async settledRedisOffsets(prefix: string): Promise<Map<string, bigint>> {
    let previous = await redisOffsets(this.options.redis, prefix);
    for (let i = 0; i < 20; i++) {
      await sleep(100);
      const now = await redisOffsets(this.options.redis, prefix);
      if (now.size === previous.size && [...now].every(([k, v]) => previous.get(k) === v)) return now;
      previous = now;
    }
    return previous;
  }

  private async discardFresh(): Promise<void> {
    const client = await this.options.pool.connect();
    try {
      if (await schemaExists(client, this.fresh)) await client.query(`DROP SCHEMA ${this.fresh} CASCADE`);
    } finally {
      client.release();
    }
    await deleteGeneration(this.options.redis, this.options.redisPrefix, this.generation);
  }
}

/**
 * Takes ACCESS EXCLUSIVE on every live table and bound view, in short tries (200 ms lock_timeout
 * each, rolled back to a savepoint between tries, until `totalMs`). A reader never waits more
 * than one try behind the swap, and a reader transaction that holds one of these relations while
 * it asks for another cannot deadlock with the swap: the swap gives up its partial locks first.
 * The EXCLUSIVE lock taken before the savepoint (the live projector's hold) is kept throughout.
 */
const lockForRename = async (client: PoolClient, relations: readonly string[], totalMs: number): Promise<void> => {
  const deadline = Date.now() + totalMs;
  await client.query(`SELECT set_config('lock_timeout', '200ms', true)`);
  for (let attempt = 0; ; attempt++) {
    await client.query('SAVEPOINT rebuild_locks');
    try {
      await client.query(`LOCK TABLE ${relations.join(', ')} IN ACCESS EXCLUSIVE MODE`);
      await client.query('RELEASE SAVEPOINT rebuild_locks');
      return;
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT rebuild_locks');
      if ((error as { code?: string }).code !== '55P03' || Date.now() > deadline) throw error;
      await sleep(20 + Math.floor(Math.random() * 80));
    }
  }
};

const checkpointOf = async (client: PoolClient, schema: string, projection: string): Promise<Map<string, bigint>> => {
  const result = await client.query<{ topic: string; partition: number; next_offset: string }>(
    `SELECT topic, partition, next_offset FROM ${schema}.projection_offsets WHERE projection = $1`,
    [projection],
  );
  return new Map(result.rows.map((r) => [partitionKey(r.topic, r.partition), BigInt(r.next_offset)]));
};

/**
 * Drops a retired read-model schema: its tables with RESTRICT (so anything still bound to them,
 * which the swap checked there is not, makes this fail instead of being dropped along), then the
 * schema. Waits at most lockTimeoutMs per attempt for reads still running on it; retries.
 */
export const dropRetiredSchema = async (pool: Pool, retired: string, live: string, lockTimeoutMs = 5000, attempts = 5): Promise<void> => {
  assertIdentifier(retired);
  if (retired === live) throw new Error(`refusing to drop the live schema ${live}`);
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockTimeoutMs}ms`]);
      const tables = await tableNames(client, retired);
      if (tables.length > 0) await client.query(`DROP TABLE ${tables.map((t) => `${retired}.${t}`).join(', ')} RESTRICT`);
      await client.query(`DROP SCHEMA IF EXISTS ${retired} RESTRICT`);
      await client.query('COMMIT');
      return;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (attempt >= attempts || (error as { code?: string }).code !== '55P03') throw error;
      await sleep(1000 * attempt);
    } finally {
      client.release();
    }
  }
};
