import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { TcpProxy } from '@app/testing';

/**
 * The private services a chaos run breaks, started by the project's infra scripts on free ports
 * with their state in temporary directories: the shared Kafka, Postgres and Redis that other
 * people's tests use are never stopped, flushed or cut.
 */
const run = promisify(execFile);
export const REPO = join(__dirname, '..', '..');
const INFRA_BIN = join(REPO, 'infra', 'bin');

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

const script = async (name: string, args: readonly string[], env: Record<string, string>, timeoutMs = 180_000): Promise<string> => {
  try {
    const { stdout, stderr } = await run('bash', [join(INFRA_BIN, name), ...args], { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`infra/bin/${name} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
};

/** Kafka as the apps see it: a bootstrap list, and the faults the cases inject. */
export interface ChaosKafka {
  readonly kind: 'single' | 'cluster';
  readonly brokers: readonly string[];
  /** RF and min ISR of the topics infra/bin/topics creates. */
  readonly replication: { readonly factor: number; readonly minInsync: number };
  createTopics(prefix: string): Promise<void>;
  destroy(): Promise<void>;
}

/** One broker (kafka-up) behind a TCP proxy that it advertises: the network to it can be cut. */
export class SingleBroker implements ChaosKafka {
  readonly kind = 'single' as const;
  readonly replication = { factor: 1, minInsync: 1 };
  private constructor(
    private readonly env: Record<string, string>,
    readonly proxy: TcpProxy,
    private readonly home: string,
  ) {}

  static async start(): Promise<SingleBroker> {
    const home = mkdtempSync(join(tmpdir(), 'chaos-kafka-'));
    const [port, controllerPort] = [await freePort(), await freePort()];
    const proxy = new TcpProxy({ host: '127.0.0.1', port });
    await proxy.start();
    const env = {
      KAFKA_HOME: home,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_ADVERTISED: `127.0.0.1:${proxy.port}`,
      KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m',
    };
    await script('kafka-up', [], env);
    return new SingleBroker(env, proxy, home);
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.proxy.port}`];
  }

  /** infra/bin/kafka-down (SIGTERM, or SIGKILL with kill): data kept. */
  async stop(kill = false): Promise<void> {
    await script('kafka-down', kill ? ['--kill'] : [], this.env);
  }

  async start(): Promise<void> {
    await script('kafka-up', [], this.env);
  }

  async createTopics(prefix: string): Promise<void> {
    await script('topics', [], { ...this.env, TOPIC_PREFIX: prefix });
  }

  async destroy(): Promise<void> {
    await script('kafka-down', ['--kill'], this.env).catch(() => undefined);
    await this.proxy.stop();
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Three KRaft nodes (kafka-cluster-up), replication factor 3, min.insync.replicas 2. */
export class ThreeBrokers implements ChaosKafka {
  readonly kind = 'cluster' as const;
  readonly replication = { factor: 3, minInsync: 2 };
  private constructor(
    private readonly env: Record<string, string>,
    private readonly ports: readonly number[],
    private readonly home: string,
  ) {}

  static async start(): Promise<ThreeBrokers> {
    const home = mkdtempSync(join(tmpdir(), 'chaos-kafka-cluster-'));
    const ports: number[] = [];
    const controllers: number[] = [];
    for (let i = 0; i < 3; i++) {
      ports.push(await freePort());
      controllers.push(await freePort());
    }
    const env = { KAFKA_CLUSTER_HOME: home, KAFKA_CLUSTER_PORTS: ports.join(','), KAFKA_CLUSTER_CONTROLLER_PORTS: controllers.join(',') };
    await script('kafka-cluster-up', [], env);
    return new ThreeBrokers(env, ports, home);
  }

  get brokers(): string[] {
    return this.ports.map((port) => `127.0.0.1:${port}`);
  }

  /** SIGKILL (or SIGTERM) one node: kafka-cluster-down --node N [--kill]. */
  async stopNode(node: number, kill = true): Promise<void> {
    await script('kafka-cluster-down', ['--node', String(node), ...(kill ? ['--kill'] : [])], this.env);
  }

  async startNode(node: number): Promise<void> {
    await script('kafka-cluster-up', ['--node', String(node)], this.env);
  }

  async status(): Promise<string> {
    return script('kafka-cluster-status', [], this.env).catch((error: Error) => error.message);
  }

  async createTopics(prefix: string): Promise<void> {
    await script('topics', [], { ...this.env, KAFKA_PORT: String(this.ports[0]), TOPIC_PREFIX: prefix, KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' });
  }

  async destroy(): Promise<void> {
    await script('kafka-cluster-down', ['--kill', '--purge'], this.env).catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
  }
}

/**
 * A PostgreSQL server of this run (infra/bin/postgres-up with its own POSTGRES_HOME and port:
 * initdb from the Debian binaries, roles and databases of infra/postgres/init.sql): the shared
 * server on 5432 cannot be restarted.
 */
export class PrivatePostgres {
  private constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
    private readonly home: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const home = mkdtempSync(join(tmpdir(), 'chaos-postgres-'));
    const port = await freePort();
    const env = { POSTGRES_HOME: home, PGHOST: '127.0.0.1', PGPORT: String(port) };
    await script('postgres-up', [], env);
    return new PrivatePostgres(env, port, home);
  }

  /** The application role on the `consultation` database. */
  get url(): string {
    return `postgres://consultation:consultation@127.0.0.1:${this.port}/consultation`;
  }

  /** `pg_ctl stop -m immediate`: every backend killed at once, crash recovery at the next start. */
  async crash(): Promise<void> {
    await run('bash', ['-c', 'source "$1/lib.sh"; as_pg_user "$(pg_bin_dir)/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null', 'pg-crash', INFRA_BIN], {
      env: { ...process.env, ...this.env },
      timeout: 60_000,
    });
  }

  async start(): Promise<void> {
    await script('postgres-up', [], this.env);
  }

  async destroy(): Promise<void> {
    await script('postgres-down', ['--purge'], this.env).catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** A redis-server of this run (infra/bin/redis-up on its own port): it may be flushed. */
export class PrivateRedis {
  private constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
    private readonly home: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const home = mkdtempSync(join(tmpdir(), 'chaos-redis-'));
    const port = await freePort();
    const env = { REDIS_HOME: home, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port) };
    await script('redis-up', [], env);
    return new PrivateRedis(env, port, home);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** FLUSHALL: this private server holds only this run's keys. Returns how many keys were there. */
  async flush(): Promise<number> {
    const redis = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await redis.connect();
      const keys = await redis.dbsize();
      await redis.flushall();
      return keys;
    } finally {
      redis.disconnect();
    }
  }

  async destroy(): Promise<void> {
    await script('redis-down', ['--purge'], this.env).catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
  }
}
