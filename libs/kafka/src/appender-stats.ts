/** Upper bounds of the batch-size histogram (messages per sendBatch), Prometheus-style `le`. */
export const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;

/** One sendBatch, reported to `onBatch` (e.g. a prom-client Histogram) when it settles. */
export interface BatchReport {
  readonly shard: number;
  readonly messages: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly ok: boolean;
}

export type AppendFailureKind = 'timeout' | 'unavailable' | 'send-failed' | 'stopped' | 'other';

/** Counters for metrics, all monotonic except the `current*` gauges. */
export interface AppenderStatsSnapshot {
  readonly appendsRequested: number;
  readonly messagesAppended: number;
  readonly appendsFailed: { readonly [K in AppendFailureKind]: number };
  readonly batchesSent: number;
  readonly batchesFailed: number;
  readonly producerRecreations: number;
  /** Cumulative counts per `le` bucket (last bucket = +Inf), with sum and count. */
  readonly batchSize: { readonly buckets: readonly { le: number; count: number }[]; sum: number; count: number };
  readonly currentQueued: number;
  readonly currentInFlight: number;
}

export class AppenderStats {
  appendsRequested = 0;
  messagesAppended = 0;
  readonly appendsFailed: Record<AppendFailureKind, number> = {
    timeout: 0,
    unavailable: 0,
    'send-failed': 0,
    stopped: 0,
    other: 0,
  };
  batchesSent = 0;
  batchesFailed = 0;
  producerRecreations = 0;
  private readonly bucketCounts = new Array<number>(BATCH_SIZE_BUCKETS.length + 1).fill(0);
  private batchSizeSum = 0;

  recordBatch(messages: number, ok: boolean): void {
    if (ok) this.batchesSent++;
    else this.batchesFailed++;
    let i = 0;
    while (i < BATCH_SIZE_BUCKETS.length && messages > BATCH_SIZE_BUCKETS[i]) i++;
    this.bucketCounts[i]++;
    this.batchSizeSum += messages;
  }

  snapshot(current: { queued: number; inFlight: number }): AppenderStatsSnapshot {
    let cumulative = 0;
    const buckets = this.bucketCounts.map((count, i) => {
      cumulative += count;
      return { le: i < BATCH_SIZE_BUCKETS.length ? BATCH_SIZE_BUCKETS[i] : Number.POSITIVE_INFINITY, count: cumulative };
    });
    return {
      appendsRequested: this.appendsRequested,
      messagesAppended: this.messagesAppended,
      appendsFailed: { ...this.appendsFailed },
      batchesSent: this.batchesSent,
      batchesFailed: this.batchesFailed,
      producerRecreations: this.producerRecreations,
      batchSize: { buckets, sum: this.batchSizeSum, count: cumulative },
      currentQueued: current.queued,
      currentInFlight: current.inFlight,
    };
  }
}
