/** Command line of `npm run bench -- [options]` (see docs/benchmarks.md). */
export const STAGES = ['http', 'system', 'reads', 'producer', 'projector', 'rebuild'] as const;
export type Stage = (typeof STAGES)[number];

export interface BenchOptions {
  /** Vote events in the rebuild log (default 1,000,000). */
  readonly votes: number;
  /** Seconds of the sustained runs (top rate, and the low rate with lag). */
  readonly duration: number;
  /** Seconds of each step of the rate searches. */
  readonly step: number;
  /** Rates tried for the system, ascending; the highest passing one is then sustained. */
  readonly rates: readonly number[];
  /** Rates tried for the bare Fastify server. */
  readonly bareRates: readonly number[];
  /** The rate reported with projection lag (issue 6: 2,000/s). */
  readonly lowRate: number;
  /** p99 limit of a passing step (ms). */
  readonly p99Ms: number;
  /** Votes written while the projector is stopped, then caught up. */
  readonly backlog: number;
  readonly readRate: number;
  readonly readVoteRate: number;
  readonly proposals: number;
  readonly participants: number;
  /** Send an Idempotency-Key with every vote (as the k6 scripts do). */
  readonly idempotencyKey: boolean;
  /** CPU-profile the ingest during the sustained run and the projector during the catch-up. */
  readonly profile: boolean;
  readonly stages: ReadonlySet<Stage>;
  /** Free text stored with the results (e.g. "before", "after"). */
  readonly label: string;
  /** Longest wait before each measurement for other processes to use < 0.35 core (0: do not wait). */
  readonly quietWaitS: number;
  /** Build the apps run from, relative to the repository (default dist; e.g. a saved build to compare with). */
  readonly dist: string;
  /** Build of the ingest only (default: --dist), to compare ingest builds with everything else equal. */
  readonly ingestDist: string;
}

const USAGE = `npm run bench -- [--votes N] [--duration S] [--step S] [--rates a,b,c] [--bare-rates a,b,c] [--low-rate R]
  [--backlog N] [--read-rate R] [--read-vote-rate R] [--proposals N] [--participants N] [--no-idempotency-key]
  [--profile] [--dist DIR] [--ingest-dist DIR] [--quiet-wait S] [--only ${STAGES.join(',')}] [--skip …] [--label TEXT] [--quick]
  --quick = --votes 50000 --duration 15 --step 6 --backlog 20000 (development)`;

export const parseOptions = (argv: readonly string[]): BenchOptions => {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected ${arg}\n${USAGE}`);
    const name = arg.slice(2);
    if (['profile', 'quick', 'no-idempotency-key', 'help'].includes(name)) flags.set(name, 'true');
    else {
      const value = argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value\n${USAGE}`);
      flags.set(name, value);
    }
  }
  if (flags.has('help')) throw new Error(USAGE);
  const quick = flags.has('quick');
  const num = (name: string, fallback: number): number => {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw.replace(/_/g, ''));
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  const list = (name: string, fallback: readonly number[]): number[] =>
    (flags.get(name)?.split(',').map(Number) ?? [...fallback]).sort((a, b) => a - b);
  const stageList = (name: string): Stage[] | undefined => {
    const raw = flags.get(name);
    if (raw === undefined) return undefined;
    const stages = raw.split(',');
    for (const s of stages) if (!(STAGES as readonly string[]).includes(s)) throw new Error(`unknown stage ${s} (${STAGES.join(', ')})`);
    return stages as Stage[];
  };
  const only = stageList('only');
  const skip = new Set(stageList('skip') ?? []);
  const rates = list('rates', [250, 500, 750, 1000, 1500, 2000, 3000, 4000, 5000, 6000]);
  return {
    votes: num('votes', quick ? 50_000 : 1_000_000),
    duration: num('duration', quick ? 15 : 60),
    step: num('step', quick ? 6 : 15),
    rates,
    bareRates: list('bare-rates', [...new Set([...rates, 8000, 10_000, 12_000])]),
    lowRate: num('low-rate', 2000),
    p99Ms: num('p99-ms', 100),
    backlog: num('backlog', quick ? 20_000 : 200_000),
    readRate: num('read-rate', 3000),
    readVoteRate: num('read-vote-rate', 1000),
    proposals: num('proposals', 1000),
    participants: num('participants', 100_000),
    idempotencyKey: !flags.has('no-idempotency-key'),
    profile: flags.has('profile'),
    stages: new Set((only ?? [...STAGES]).filter((s) => !skip.has(s))),
    label: flags.get('label') ?? '',
    dist: flags.get('dist') ?? 'dist',
    ingestDist: flags.get('ingest-dist') ?? flags.get('dist') ?? 'dist',
    quietWaitS: flags.get('quiet-wait') === '0' ? 0 : num('quiet-wait', 90),
  };
};
