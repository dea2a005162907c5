import { dirname, resolve } from 'node:path';
import { format } from 'node:util';
import { createHttpModule } from './k6-http';
import { ExecutionHooks, createCoreModule, createDataModule, createExecutionModule, createMetricsModule, openFrom, strictModule, timersModule } from './k6-modules';
import { ConsoleLevel, ConsoleListener, MetricSink } from './metric-sink';
import { instantiate } from './script-loader';

/**
 * A Node stand-in for the k6 runtime, enough to run this project's k6 scripts: load the entry
 * script (as many instances as wanted: one per VU like k6, or one shared by all VUs), call its
 * exported functions inside iteration contexts (iteration-context.ts), and hand every metric
 * sample and console line to the caller.
 */
export interface K6RuntimeOptions {
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
  readonly sink: MetricSink;
  readonly onConsole: ConsoleListener;
  /** Keep-alive connections per host (default 256). */
  readonly maxSockets?: number;
  readonly hooks?: Partial<ExecutionHooks>;
}

export interface ScriptInstance {
  readonly exports: Readonly<Record<string, unknown>>;
  /** An exported function, called with `args`; throws if the script does not export it. */
  call(name: string, ...args: unknown[]): Promise<unknown>;
}

export interface K6Runtime {
  instantiate(): ScriptInstance;
  close(): void;
}

export const createK6Runtime = (options: K6RuntimeOptions): K6Runtime => {
  const entry = resolve(options.entry);
  const http = createHttpModule({ sink: options.sink, maxSockets: options.maxSockets ?? 256 });
  const hooks: ExecutionHooks = {
    abort: options.hooks?.abort ?? ((reason?: string) => {
      throw new Error(`test aborted${reason === undefined ? '' : `: ${reason}`}`);
    }),
    instance: options.hooks?.instance ?? (() => ({ iterationsInterrupted: 0, iterationsCompleted: 0, vusActive: 0, vusInitialized: 0, currentTestRunDuration: 0 })),
  };
  const modules: Record<string, object> = {
    k6: strictModule('k6', createCoreModule(options.sink)),
    'k6/http': strictModule('k6/http', http.module),
    'k6/metrics': strictModule('k6/metrics', createMetricsModule(options.sink)),
    'k6/execution': strictModule('k6/execution', createExecutionModule(hooks)),
    'k6/data': strictModule('k6/data', createDataModule()),
    'k6/timers': strictModule('k6/timers', timersModule),
  };
  const say = (level: ConsoleLevel) => (...args: unknown[]): void => options.onConsole(level, format(...args));
  const globals = {
    __ENV: Object.freeze({ ...options.env }),
    open: openFrom(dirname(entry)),
    console: { log: say('log'), info: say('info'), warn: say('warn'), error: say('error'), debug: say('debug') },
  };
  return {
    instantiate: () => {
      const exports = instantiate(entry, modules, globals);
      return {
        exports,
        call: async (name: string, ...args: unknown[]) => {
          const fn = exports[name];
          if (typeof fn !== 'function') throw new Error(`${entry} exports no function "${name}"`);
          return (fn as (...a: unknown[]) => unknown)(...args);
        },
      };
    },
    close: () => http.close(),
  };
};
