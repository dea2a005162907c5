/** Child processes of the bench: the apps from dist/, the generators, and their lifecycle. */
import { ChildProcess, fork, spawn } from 'node:child_process';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

export const httpGet = (url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const request = get(url, { timeout: timeoutMs, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url}: timeout`)));
    request.on('error', reject);
  });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface App {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  /** Last lines of its stdout/stderr (for error reports). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

const stopChild = async (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const done = await Promise.race([exited(child).then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited(child);
  }
};

/**
 * Starts `node [nodeArgs] <script>` with `env` on top of this process's environment and waits
 * until GET /health/ready answers 200 (or `readyPath` for other servers).
 */
export const startApp = async (
  name: string,
  script: string,
  env: Record<string, string>,
  options: { port: number; nodeArgs?: readonly string[]; readyPath?: string; timeoutMs?: number },
): Promise<App> => {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(options.port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${options.port}`;
  const app: App = {
    name,
    pid: child.pid as number,
    port: options.port,
    url,
    child,
    output: () => tail,
    stop: (signal) => stopChild(child, signal),
  };
  const until = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited during start:\n${tail}`);
    const answer = await httpGet(`${url}${options.readyPath ?? '/health/ready'}`).catch(() => undefined);
    if (answer?.status === 200) return app;
    if (Date.now() > until) {
      await stopChild(child, 'SIGKILL');
      throw new Error(`${name} not ready after ${options.timeoutMs ?? 90_000} ms:\n${tail}`);
    }
    await sleep(200);
  }
};

/** A forked TypeScript helper (loadgen, bare producer) speaking {type} messages over IPC. */
export interface Helper {
  readonly name: string;
  readonly pid: number;
  request<T>(message: object, replyType?: string): Promise<T>;
  stop(): Promise<void>;
}

export const forkHelper = async (name: string, script: string, env: Record<string, string> = {}): Promise<Helper> => {
  const child = fork(join(ROOT, script), [], {
    cwd: ROOT,
    execArgv: ['-r', '@swc-node/register'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (): Promise<{ type: string; [key: string]: unknown }> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: { type: string }): void => {
        child.off('exit', onExit);
        resolve(message as { type: string; [key: string]: unknown });
      };
      const onExit = (code: number | null): void => {
        child.off('message', onMessage);
        reject(new Error(`${name} exited (${code})`));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`${name}: ${String(ready.error ?? ready.type)}`);
  return {
    name,
    pid: child.pid as number,
    request: async <T>(message: object, replyType = 'result'): Promise<T> => {
      const reply = next();
      child.send(message);
      const answer = await reply;
      if (answer.type === 'error') throw new Error(`${name}: ${String(answer.error)}`);
      if (answer.type !== replyType) throw new Error(`${name}: unexpected ${answer.type}`);
      return answer as T;
    },
    stop: async () => {
      if (child.connected) child.send({ type: 'exit' });
      await Promise.race([exited(child), sleep(5000)]);
      await stopChild(child, 'SIGTERM', 2000);
    },
  };
};

/** The ingest's EventAppender counters (GET /metrics): sendBatch calls and messages appended since start. */
export const scrapeAppender = async (ingest: { url: string }): Promise<{ batches: number; messages: number }> => {
  const { body } = await httpGet(`${ingest.url}/metrics`);
  const stat = (name: string): number => Number(new RegExp(`ingest_appender_stats\\{stat="${name}"[^}]*\\} (\\d+)`).exec(body)?.[1] ?? 0);
  return { batches: stat('batchesSent'), messages: stat('messagesAppended') };
};
