import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { transformSync } from '@swc/core';

/**
 * Loads k6 scripts (ES modules) in Node: each file is compiled once to CommonJS with SWC, then
 * every `instantiate()` evaluates the whole module graph afresh, as k6 does for each VU. Imports
 * of `k6*` resolve to the adapter's modules; relative imports to the same loader; anything else
 * (node:*, npm packages) is refused, because k6 could not load it either.
 *
 * The k6 globals (__ENV, open, console) are parameters of each module function, so one process
 * can hold several runtimes and the scripts see no Node globals they could come to depend on.
 */
export interface ScriptGlobals {
  readonly __ENV: Readonly<Record<string, string>>;
  readonly open: (path: string, mode?: 'b') => string | ArrayBuffer;
  readonly console: Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug'>;
}

type ModuleFunction = (
  exports: Record<string, unknown>,
  require: (specifier: string) => unknown,
  module: { exports: Record<string, unknown> },
  __filename: string,
  __dirname: string,
  __ENV: ScriptGlobals['__ENV'],
  open: ScriptGlobals['open'],
  console: ScriptGlobals['console'],
  globalThis: object,
) => void;

const compiled = new Map<string, ModuleFunction>();

const compile = (path: string): ModuleFunction => {
  const known = compiled.get(path);
  if (known !== undefined) return known;
  const { code } = transformSync(readFileSync(path, 'utf8'), {
    filename: path,
    swcrc: false,
    configFile: false,
    sourceMaps: 'inline',
    isModule: true,
    module: { type: 'commonjs', strict: true },
    jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
  });
  const fn = new Function(
    'exports', 'require', 'module', '__filename', '__dirname', '__ENV', 'open', 'console', 'globalThis',
    `${code}\n//# sourceURL=${path}`,
  ) as ModuleFunction;
  compiled.set(path, fn);
  return fn;
};

export const instantiate = (entry: string, k6Modules: Readonly<Record<string, object>>, globals: ScriptGlobals): Record<string, unknown> => {
  const cache = new Map<string, { exports: Record<string, unknown> }>();
  // What the scripts see as globalThis: the real one, with the k6 console in front.
  const scriptGlobal = Object.create(globalThis, { console: { value: globals.console } }) as object;
  const load = (path: string): Record<string, unknown> => {
    const known = cache.get(path);
    if (known !== undefined) return known.exports;
    const module = { exports: {} as Record<string, unknown> };
    cache.set(path, module);
    const requireFrom = (specifier: string): unknown => {
      if (specifier === 'k6' || specifier.startsWith('k6/')) {
        const k6 = k6Modules[specifier];
        if (k6 === undefined) throw new Error(`k6 adapter: module ${specifier} is not implemented (imported by ${path})`);
        return k6;
      }
      if (specifier.startsWith('./') || specifier.startsWith('../')) return load(resolve(dirname(path), specifier));
      throw new Error(`${path}: k6 scripts can import k6 modules and relative files only, not "${specifier}"`);
    };
    compile(path)(module.exports, requireFrom, module, path, dirname(path), globals.__ENV, globals.open, globals.console, scriptGlobal);
    return module.exports;
  };
  return load(resolve(entry));
};
