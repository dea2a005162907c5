import { CliArgs } from '../runner/cli-args';
import { CASES } from './cases';
import { emergencyCleanup, runChaosSuite } from './suite';

/**
 * `npm run chaos [-- --cases kill-ingest,network-cut] [--progress] [--code worktree|head] [--list]`: every fault of
 * cases.ts under the load runner's steady vote load, each verified with lost=0 double_counted=0
 * (docs/operations.md, "Fault injection"). Exit code 0 when every case passed, 1 otherwise.
 */
const main = async (): Promise<number> => {
  const args = new CliArgs(process.argv.slice(2));
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  if (args.flag('list')) {
    CASES.forEach((c) => print(`${c.name.padEnd(20)} ${c.title}`));
    return 0;
  }
  const wanted = args.value('cases')?.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = (wanted ?? []).filter((name) => !CASES.some((c) => c.name === name));
  if (unknown.length > 0) {
    print(`[chaos] unknown case(s) ${unknown.join(', ')}; known: ${CASES.map((c) => c.name).join(', ')}`);
    return 2;
  }
  const cases = wanted === undefined ? CASES : CASES.filter((c) => wanted.includes(c.name));
  const started = Date.now();
  const code = args.value('code') ?? 'worktree';
  if (code !== 'worktree' && code !== 'head') {
    print('[chaos] --code must be worktree or head');
    return 2;
  }
  const results = await runChaosSuite({ cases, say: print, progress: args.flag('progress'), code });
  print('');
  print(`[chaos] ${results.filter((r) => r.passed).length}/${results.length} cases passed in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  results.forEach((r) => print(`  ${r.summary}`));
  return results.length === cases.length && results.every((r) => r.passed) ? 0 : 1;
};

// Interrupted or crashed: stop the private brokers, Postgres, Redis and apps before leaving.
const abort = (code: number, why: string) => (detail?: unknown): void => {
  process.stderr.write(`[chaos] ${why}${detail instanceof Error ? `: ${detail.stack ?? detail.message}` : ''}; stopping what the run started\n`);
  void emergencyCleanup().finally(() => process.exit(code));
};
process.once('SIGINT', abort(130, 'interrupted'));
process.once('SIGTERM', abort(143, 'terminated'));
process.once('uncaughtException', abort(2, 'crashed'));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[chaos] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
