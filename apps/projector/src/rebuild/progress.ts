/** What a rebuild reports every second (and once at each phase change). */
export interface RebuildProgress {
  /** replay: up to the high watermarks taken at start; tail: catching up what arrived since; switch; done. */
  readonly phase: 'replay' | 'tail' | 'switch' | 'done';
  readonly elapsedMs: number;
  /** Records replayed since start (events, plus undecodable records skipped). */
  readonly done: number;
  /** Records between the replay's positions and the target watermarks (start ones, then current ones). */
  readonly remaining: number;
  /** Over the last report interval. */
  readonly eventsPerSecond: number;
  /** Since start. */
  readonly averageEventsPerSecond: number;
  /** remaining / recent rate; null while nothing was measured yet. */
  readonly etaSeconds: number | null;
  readonly undecodable: number;
}

/** Remaining records: Σ max(0, target − position) over the targets' partitions. */
export const remainingRecords = (targets: ReadonlyMap<string, bigint>, positions: ReadonlyMap<string, bigint>): number => {
  let remaining = 0n;
  for (const [key, target] of targets) {
    const at = positions.get(key) ?? 0n;
    if (target > at) remaining += target - at;
  }
  return Number(remaining);
};

/**
 * Turns successive samples (time, records done) into rates and an ETA. The ETA uses the rate
 * over a sliding window (default 5 s), steadier than one interval and quicker than the average.
 */
export class ProgressMeter {
  private readonly samples: { at: number; done: number }[];

  constructor(
    private readonly startedAt: number,
    private readonly windowMs = 5000,
  ) {
    this.samples = [{ at: startedAt, done: 0 }];
  }

  sample(at: number, done: number, remaining: number, phase: RebuildProgress['phase'], undecodable: number): RebuildProgress {
    const previous = this.samples[this.samples.length - 1];
    this.samples.push({ at, done });
    while (this.samples.length > 2 && at - this.samples[0].at > this.windowMs) this.samples.shift();
    const oldest = this.samples[0];
    const rate = (from: { at: number; done: number }): number => (at > from.at ? ((done - from.done) * 1000) / (at - from.at) : 0);
    const windowRate = rate(oldest);
    return {
      phase,
      elapsedMs: at - this.startedAt,
      done,
      remaining,
      eventsPerSecond: Math.round(rate(previous)),
      averageEventsPerSecond: Math.round(rate({ at: this.startedAt, done: 0 })),
      etaSeconds: remaining === 0 ? 0 : windowRate > 0 ? Math.ceil(remaining / windowRate) : null,
      undecodable,
    };
  }
}

const duration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

const n = (value: number): string => value.toLocaleString('en-US');

/** One human line, e.g. `rebuild [replay] 120,000 done, 880,000 remaining, 25,310 ev/s (avg 24,870), ETA 35s, 12s elapsed`. */
export const formatProgress = (p: RebuildProgress): string =>
  `rebuild [${p.phase}] ${n(p.done)} done, ${n(p.remaining)} remaining, ${n(p.eventsPerSecond)} ev/s (avg ${n(p.averageEventsPerSecond)}), ` +
  `ETA ${p.etaSeconds === null ? '?' : duration(p.etaSeconds)}, ${duration(p.elapsedMs / 1000)} elapsed` +
  (p.undecodable > 0 ? `, ${n(p.undecodable)} undecodable skipped` : '');
