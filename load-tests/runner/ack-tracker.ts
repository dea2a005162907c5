/**
 * The log positions the ingest acknowledged (from the `position` of write answers) and when, per
 * partition, so that projection lag can be measured against any checkpoint: in events (positions
 * acknowledged but not yet projected) and in seconds (age of the oldest such acknowledgement).
 * Offsets are kept sorted (they arrive nearly in order) as numbers: 2^53 offsets is more than any
 * partition will hold.
 */
export interface Lag {
  readonly events: number;
  readonly seconds: number;
}

interface PartitionAcks {
  readonly offsets: number[];
  readonly times: number[];
}

export const partitionKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/** First index whose offset is ≥ `next`. */
const lowerBound = (offsets: readonly number[], next: number): number => {
  let [lo, hi] = [0, offsets.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid] < next) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

export class AckTracker {
  private readonly partitions = new Map<string, PartitionAcks>();

  acknowledged(topic: string, partition: number, offset: string, atMs: number): void {
    const key = partitionKey(topic, partition);
    let acks = this.partitions.get(key);
    if (acks === undefined) this.partitions.set(key, (acks = { offsets: [], times: [] }));
    const value = Number(offset);
    let i = acks.offsets.length;
    acks.offsets.push(value);
    acks.times.push(atMs);
    while (i > 0 && acks.offsets[i - 1] > value) {
      [acks.offsets[i], acks.offsets[i - 1]] = [acks.offsets[i - 1], acks.offsets[i]];
      [acks.times[i], acks.times[i - 1]] = [acks.times[i - 1], acks.times[i]];
      i -= 1;
    }
  }

  topics(): string[] {
    return [...new Set([...this.partitions.keys()].map((key) => key.slice(0, key.lastIndexOf(':'))))];
  }

  /** Highest acknowledged offset + 1 per partition ("topic:partition"). */
  targets(): Map<string, bigint> {
    return new Map([...this.partitions].map(([key, acks]) => [key, BigInt(acks.offsets[acks.offsets.length - 1] + 1)]));
  }

  /** Lag behind `nextOffsets` (a checkpoint: next offset to apply per "topic:partition") at `nowMs`. */
  lagBehind(nextOffsets: ReadonlyMap<string, bigint>, nowMs: number): Lag {
    let events = 0;
    let oldest = nowMs;
    for (const [key, acks] of this.partitions) {
      const next = Number(nextOffsets.get(key) ?? 0n);
      const highest = acks.offsets[acks.offsets.length - 1];
      if (highest + 1 > next) events += highest + 1 - next;
      for (let i = lowerBound(acks.offsets, next); i < acks.offsets.length; i++) oldest = Math.min(oldest, acks.times[i]);
    }
    return { events, seconds: (nowMs - oldest) / 1000 };
  }
}
