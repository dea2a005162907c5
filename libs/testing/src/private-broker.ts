import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const INFRA_BIN = join(__dirname, '../../../infra/bin');

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

export interface PrivateBroker {
  readonly brokers: string[];
  /** Stops the broker (SIGTERM, or SIGKILL with `kill`), keeping its data. */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same ports and data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * A Kafka broker of this test's own, started by the project's infra scripts on free ports with
 * its own data directory, for tests that stop and restart the broker: the shared broker other
 * tests use is never touched.
 */
export const startPrivateBroker = async (): Promise<PrivateBroker> => {
  const home = mkdtempSync(join(tmpdir(), 'kafka-private-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_HOME: home, KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m' };
  const script = (name: string, ...args: string[]) => run('bash', [join(INFRA_BIN, name), ...args], { env, timeout: 120_000 });
  await script('kafka-up');
  return {
    brokers: [`127.0.0.1:${port}`],
    stop: async (options = {}) => {
      await script('kafka-down', ...(options.kill ? ['--kill'] : []));
    },
    start: async () => {
      await script('kafka-up');
    },
    destroy: async () => {
      await script('kafka-down', '--kill').catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
};
