/**
 * Rebuild the read models from offset 0 while the old ones keep serving (docs/operations.md,
 * "Rebuilding the read models").
 *
 *   node -r @swc-node/register apps/projector/src/rebuild/rebuild.cli.ts [options]
 *   node dist/apps/projector/src/rebuild/rebuild.cli.js [options]
 *
 *   (no command)            rebuild, switch readers and the live projector, drop the old after --grace-seconds
 *     --keep-old              keep the retired schema and Redis generation (drop them later with `drop`)
 *     --grace-seconds N       wait before dropping the retired ones (default 60)
 *     --id ID                 names: <schema>_rebuild_ID, <schema>_old_ID, <REDIS_PROJECTION_PREFIX>-gen-ID (default: UTC time + random)
 *     --lock-timeout-ms N     lock_timeout of the swap's locks (default 5000)
 *     --switch-timeout-ms N   longest the live projector is held during the switch (default 15000)
 *     --switch-attempts N     switch attempts before giving up (default 5)
 *     --tail-lag N            switch once at most N records remain to the tail (default 2000)
 *     --concurrency N         partition batches merged per apply (default 6)
 *     --max-bytes-per-partition N   fetch size per partition (default 4194304)
 *   status                   live schema, active Redis generation, leftover schemas
 *   drop [--schema S] [--redis-prefix P]   drop a retired/abandoned schema and/or Redis generation
 *
 * Environment: as the projector (KAFKA_BROKERS, TOPIC_PREFIX, DATABASE_URL, REDIS_URL,
 * REDIS_PROJECTION_PREFIX, READMODEL_SCHEMA, LOG_LEVEL). Progress goes to stderr every second; the result (JSON) to stdout.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { createKafka } from '@app/kafka';
import { createPool } from '@app/postgres';
import { createRedis } from '@app/redis';
import { ProjectorConfig } from '../projector.config';
import { assertIdentifier } from './pg-schema';
import { formatProgress } from './progress';
import { ReadModelRebuild, RebuildAborted, dropRetiredSchema } from './read-model-rebuild';
import { activePrefix, deleteGeneration, pointerKeyOf } from './redis-generation';

/** A mistake in the command line or a refused request: its message is all the operator needs. */
class UsageError extends Error {}

const USAGE = 'usage: rebuild.cli.ts [status | drop [--schema S] [--redis-prefix P]] [--keep-old] [--grace-seconds N] [--id ID] …';

const parseArgs = (argv: readonly string[]): { command: string; flags: Map<string, string> } => {
  const flags = new Map<string, string>();
  let command = 'rebuild';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (i !== 0) throw new UsageError(`unexpected argument ${arg}\n${USAGE}`);
      command = arg;
      continue;
    }
    const name = arg.slice(2);
    if (name === 'keep-old' || name === 'help') flags.set(name, 'true');
    else {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value\n${USAGE}`);
      flags.set(name, value);
    }
  }
  return { command, flags };
};

const int = (flags: Map<string, string>, name: string): number | undefined => {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} must be a non-negative integer`);
  return value;
};

const main = async (): Promise<number> => {
  const { command, flags } = parseArgs(process.argv.slice(2));
  if (flags.has('help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig(ProjectorConfig);
  const pool = createPool(config.DATABASE_URL, 4, 'projector-rebuild');
  const redis = createRedis(config.REDIS_URL, 'projector-rebuild');
  await redis.connect();
  const schema = config.READMODEL_SCHEMA;
  const log = (message: string, extra: Record<string, unknown> = {}): void => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', logger: 'rebuild', msg: message, ...extra })}\n`);
  };
  try {
    if (command === 'status') {
      const leftovers = await pool.query<{ nspname: string }>(
        `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 OR nspname LIKE $2 ORDER BY 1`,
        [`${schema}\\_old\\_%`, `${schema}\\_rebuild\\_%`],
      );
      const status = {
        schema,
        pointerKey: pointerKeyOf(config.REDIS_PROJECTION_PREFIX),
        activeRedisPrefix: await activePrefix(redis, config.REDIS_PROJECTION_PREFIX),
        leftoverSchemas: leftovers.rows.map((r) => r.nspname),
      };
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      return 0;
    }
    if (command === 'drop') {
      const target = flags.get('schema');
      const prefix = flags.get('redis-prefix');
      if (!target && !prefix) throw new UsageError(`drop needs --schema and/or --redis-prefix\n${USAGE}`);
      // Never under a running rebuild (it holds this lock from start to end).
      const guard = await pool.connect();
      try {
        const { rows } = await guard.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`readmodel-rebuild:${schema}`]);
        if (!rows[0].ok) throw new UsageError(`a rebuild of ${schema} is running: wait for it to end`);
        await dropLeftovers(target, prefix);
        await guard.query('SELECT pg_advisory_unlock(hashtext($1))', [`readmodel-rebuild:${schema}`]);
      } finally {
        guard.release();
      }
      return 0;
    }
    if (command !== 'rebuild') throw new UsageError(`unknown command ${command}\n${USAGE}`);
    return await rebuild();
  } finally {
    await pool.end().catch(() => undefined);
    redis.disconnect();
  }

  async function dropLeftovers(target: string | undefined, prefix: string | undefined): Promise<void> {
    if (target) {
      assertIdentifier(target);
      if (!target.startsWith(`${schema}_old_`) && !target.startsWith(`${schema}_rebuild_`)) {
        throw new UsageError(`refusing to drop ${target}: only ${schema}_old_* and ${schema}_rebuild_* schemas`);
      }
      await dropRetiredSchema(pool, target, schema, int(flags, 'lock-timeout-ms') ?? 5000);
      log('schema dropped', { schema: target });
    }
    if (prefix) {
      if (!prefix.startsWith(config.REDIS_PROJECTION_PREFIX)) {
        throw new UsageError(`refusing to delete ${prefix}: not under REDIS_PROJECTION_PREFIX ${config.REDIS_PROJECTION_PREFIX}`);
      }
      log('Redis generation deleted', { prefix, keys: await deleteGeneration(redis, config.REDIS_PROJECTION_PREFIX, prefix) });
    }
  }

  async function rebuild(): Promise<number> {
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'projector-rebuild', log: (level, message, extra) => level === 'error' && log(message, extra) });
    const run = new ReadModelRebuild({
      kafka,
      pool,
      redis,
      topicPrefix: config.TOPIC_PREFIX,
      schema,
      redisPrefix: config.REDIS_PROJECTION_PREFIX,
      ...(flags.has('id') ? { id: flags.get('id') } : {}),
      keepOld: flags.has('keep-old'),
      graceMs: (int(flags, 'grace-seconds') ?? 60) * 1000,
      lockTimeoutMs: int(flags, 'lock-timeout-ms'),
      switchTimeoutMs: int(flags, 'switch-timeout-ms'),
      switchAttempts: int(flags, 'switch-attempts'),
      tailLag: int(flags, 'tail-lag'),
      replay: {
        partitionsConsumedConcurrently: int(flags, 'concurrency'),
        maxBytesPerPartition: int(flags, 'max-bytes-per-partition'),
      },
      onProgress: (p) => process.stderr.write(`${formatProgress(p)}\n`),
      log,
    });
    const cancel = (signal: string): void => {
      log(`${signal}: cancelling (before the switch the fresh schema and generation are removed; a switch in progress completes)`);
      run.cancel();
    };
    process.once('SIGINT', () => cancel('SIGINT'));
    process.once('SIGTERM', () => cancel('SIGTERM'));
    const result = await run.run();
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const plain = error instanceof ConfigError || error instanceof UsageError || error instanceof RebuildAborted;
    process.stderr.write(`${plain ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
    process.exit(1);
  },
);
