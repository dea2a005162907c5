/**
 * Projection lag, measured from outside the projector: the bench samples both checkpoints
 * (Postgres projection_offsets, the Redis projection's offsets hash) and the votes topic's high
 * watermarks every `intervalMs`; with the (partition, offset, time) of every 202 the load
 * generator received, each acknowledged vote's visibility delay is the first sample whose
 * checkpoint passed its offset, minus the time of its 202 (resolution: the sampling interval).
 */
import { Histogram, HistogramSummary } from '../../load-tests/runner/histogram';
import { ProjectionProbe, remaining } from './stack';

export interface Sample {
  readonly at: number;
  readonly high: number[];
  readonly postgres: number[];
  readonly redis: number[];
}

export class LagSampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly probe: ProjectionProbe,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    const tick = (): void => {
      if (this.busy) return;
      this.busy = true;
      this.sample()
        .then((s) => this.samples.push(s))
        .catch(() => undefined)
        .finally(() => {
          this.busy = false;
        });
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.busy) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  async sample(): Promise<Sample> {
    const [high, postgres, redis] = await Promise.all([this.probe.highWatermarks(), this.probe.postgres(), this.probe.redisOffsets()]);
    return { at: Date.now(), high, postgres, redis };
  }

  /** Most records behind the high watermark seen in any sample, per store. */
  maxBacklog(): { postgres: number; redis: number } {
    let postgres = 0;
    let redis = 0;
    for (const s of this.samples) {
      postgres = Math.max(postgres, remaining(s.high, s.postgres));
      redis = Math.max(redis, remaining(s.high, s.redis));
    }
    return { postgres, redis };
  }
}

export interface Acks {
  readonly partition: readonly number[];
  readonly offset: readonly number[];
  readonly at: readonly number[];
}

/** Time from each 202 to the first sample where `store`'s checkpoint is past its offset (ms). */
export const visibilityLag = (acks: Acks, samples: readonly Sample[], store: 'postgres' | 'redis'): HistogramSummary & { unseen: number } => {
  const histogram = new Histogram();
  let unseen = 0;
  for (let i = 0; i < acks.at.length; i++) {
    const partition = acks.partition[i];
    const offset = acks.offset[i];
    // Checkpoints only grow: binary search for the first sample that includes the record.
    let lo = 0;
    let hi = samples.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((samples[mid][store][partition] ?? 0) > offset) hi = mid;
      else lo = mid + 1;
    }
    if (lo === samples.length) unseen++;
    else histogram.record(Math.max(0, samples[lo].at - acks.at[i]));
  }
  return { ...histogram.summary(), unseen };
};

/** Waits until both checkpoints reach the current high watermarks; resolves with the ms it took. */
export const waitCaughtUp = async (probe: ProjectionProbe, timeoutMs: number): Promise<{ ms: number; caughtUp: boolean; remaining: number }> => {
  const started = Date.now();
  const high = await probe.highWatermarks();
  for (;;) {
    const [postgres, redis] = await Promise.all([probe.postgres(), probe.redisOffsets()]);
    const left = remaining(high, postgres) + remaining(high, redis);
    if (left === 0) return { ms: Date.now() - started, caughtUp: true, remaining: 0 };
    if (Date.now() - started > timeoutMs) return { ms: Date.now() - started, caughtUp: false, remaining: left };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
