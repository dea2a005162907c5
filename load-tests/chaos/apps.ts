import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { join } from 'node:path';
import { REPO, freePort } from './services';

/**
 * The three apps as real processes, as `npm start` runs them (node dist/apps/<app>/src/main.js),
 * from a build of this checkout made once per chaos run into its own folder, so that a restart in
 * the middle of a run starts the same code (other work in the tree does not change it mid-run).
 */
export type AppName = 'ingest' | 'projector' | 'query';

const ENTRY: Record<AppName, string> = {
  ingest: 'apps/ingest-api/src/main.js',
  projector: 'apps/projector/src/main.js',
  query: 'apps/query-api/src/main.js',
};

/**
 * `swc apps libs -d <dir>/dist` (what `npm run build` does into dist/), a second or two. `worktree`
 * builds the files as they are in the checkout; `head` builds the last commit (`git archive HEAD`),
 * unaffected by edits in progress in the tree.
 */
export const buildSnapshot = (dir: string, code: 'worktree' | 'head' = 'worktree'): string => {
  const swc = join(REPO, 'node_modules', '.bin', 'swc');
  const out = join(dir, 'dist');
  let cwd = REPO;
  if (code === 'head') {
    cwd = join(dir, 'src');
    mkdirSync(cwd, { recursive: true });
    execFileSync('bash', ['-c', 'git -C "$1" archive HEAD apps libs .swcrc | tar -x -C "$2"', 'archive', REPO, cwd], { stdio: 'inherit' });
  }
  execFileSync(swc, ['apps', 'libs', '-d', out, '--config-file', '.swcrc', '--copy-files', '--ignore', '**/*.spec.ts', '--quiet'], { cwd, stdio: 'inherit' });
  return out;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const httpStatus = async (url: string, timeoutMs = 1500): Promise<number> => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
};

/** One app process, restartable on the same port (the load generator keeps its URL). */
export class AppProcess {
  private child: ChildProcess | null = null;
  private log: WriteStream;
  private tail: string[] = [];
  starts = 0;

  private constructor(
    readonly name: AppName,
    readonly port: number,
    private readonly distDir: string,
    private readonly env: Record<string, string>,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  static async create(name: AppName, distDir: string, env: Record<string, string>, logDir: string): Promise<AppProcess> {
    mkdirSync(logDir, { recursive: true });
    return new AppProcess(name, await freePort(), distDir, env, join(logDir, `${name}.log`));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.alive ? this.child?.pid : undefined;
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.tail.join('\n');
  }

  /** Starts the process and waits until GET /health/ready answers 200. Returns the ms it took. */
  async start(timeoutMs = 90_000): Promise<number> {
    if (this.alive) throw new Error(`${this.name} already runs`);
    const began = Date.now();
    this.starts += 1;
    this.log.write(`--- start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [join(this.distDir, ENTRY[this.name])], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', ...this.env, HOST: '127.0.0.1', PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.log.write(chunk);
      this.tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      this.tail.splice(0, Math.max(0, this.tail.length - 60));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    for (;;) {
      if (!this.alive) throw new Error(`${this.name} exited during start (${child.exitCode ?? child.signalCode}):\n${this.output()}`);
      if ((await httpStatus(`${this.url}/health/ready`)) === 200) return Date.now() - began;
      if (Date.now() - began > timeoutMs) throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.output()}`);
      await sleep(200);
    }
  }

  /** Sends `signal` and waits for the exit (SIGTERM: SIGKILL after 20 s). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (child === null || !this.alive) return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig })));
    child.kill(signal);
    const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), 20_000);
    const result = await exited;
    if (timer !== undefined) clearTimeout(timer);
    return result;
  }

  async close(): Promise<void> {
    await this.stop('SIGTERM');
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }
}
