import { CompressionTypes, Message, ProducerBatch, RecordMetadata } from 'kafkajs';
import { AppendFailureKind, AppenderStats, BatchReport } from './appender-stats';
import { AppendOutcome, errorMessage, KafkaUnavailableError } from './errors';
import { FifoQueue } from './fifo-queue';
import { LogSink } from './kafka-options';

/** Log position of an appended event (offset as a string: it is 64-bit). */
export interface AppendResult {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** What the shard needs from a kafkajs producer (a kafkajs `Producer` is one). */
export interface BatchProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
}

/** One append waiting in a shard's queue or riding its in-flight batch. */
export interface PendingAppend {
  readonly topic: string;
  readonly partition: number;
  readonly message: Message;
  readonly bytes: number;
  /** performance.now() instant after which the append is rejected. */
  readonly deadline: number;
  /** Index among the messages of its batch for the same topic-partition. */
  index: number;
  settled: boolean;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: Error) => void;
}

export interface ShardOptions {
  readonly id: number;
  readonly createProducer: () => BatchProducer;
  readonly maxBatchMessages: number;
  readonly maxBatchBytes: number;
  readonly lingerMs: number;
  readonly ackTimeoutMs: number;
  readonly retryAfterSeconds: number;
  /** How long a timed-out (abandoned) send may keep retrying before the producer is replaced anyway. */
  readonly abandonedSendWaitMs: number;
  readonly reconnectBackoffMs: { readonly initial: number; readonly max: number };
  readonly stats: AppenderStats;
  readonly onBatch?: (report: BatchReport) => void;
  readonly log: LogSink;
}

type ShardState = 'new' | 'ready' | 'recovering' | 'closed';

interface InFlightBatch {
  readonly items: PendingAppend[];
  readonly bytes: number;
  readonly startedAt: number;
  /** First item that may still be unsettled (items are in deadline order). */
  cursor: number;
  promise: Promise<RecordMetadata[]> | null;
}

const now = (): number => performance.now();

/**
 * One idempotent producer and its group-commit loop. At most one sendBatch is in flight; appends
 * arriving meanwhile queue up and all go (within the batch limits) in the next sendBatch, in
 * arrival order. Every append settles by its deadline. A failed or timed-out send rejects its
 * appends and everything queued, then the producer is discarded and recreated in the
 * background; until it is back, appends are rejected at once.
 */
export class ProducerShard {
  private state: ShardState = 'new';
  private producer: BatchProducer | null = null;
  private readonly queue = new FifoQueue<PendingAppend>();
  private inflight: InFlightBatch | null = null;
  private flushImmediate: ReturnType<typeof setImmediate> | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private deadlineTimer: ReturnType<typeof setTimeout> | null = null;
  private sleepTimer: ReturnType<typeof setTimeout> | null = null;
  private wakeSleeper: (() => void) | null = null;

  constructor(private readonly options: ShardOptions) {}

  get ready(): boolean {
    return this.state === 'ready';
  }

  get idle(): boolean {
    return this.queue.length === 0 && this.inflight === null;
  }

  get queued(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.inflight?.items.length ?? 0;
  }

  /** First connection; on failure the shard keeps reconnecting in the background. */
  async start(): Promise<boolean> {
    if (this.state !== 'new') return this.ready;
    const producer = this.options.createProducer();
    try {
      await producer.connect();
    } catch (error) {
      if (this.state !== 'new') return false;
      this.options.log('error', 'kafka producer could not connect; retrying in the background', {
        shard: this.options.id,
        error: errorMessage(error),
      });
      await disconnectQuietly(producer);
      void this.recover(null);
      return false;
    }
    if (this.state !== 'new') {
      await disconnectQuietly(producer);
      return false;
    }
    this.producer = producer;
    this.state = 'ready';
    return true;
  }

  enqueue(item: PendingAppend): void {
    if (this.state !== 'ready') {
      const reason = this.state === 'closed' ? 'the appender is stopped' : 'the Kafka producer is reconnecting';
      this.settle(item, this.unavailable(`Kafka unavailable: ${reason}`, 'not-sent'), this.state === 'closed' ? 'stopped' : 'unavailable');
      return;
    }
    this.queue.push(item);
    if (this.deadlineTimer === null) this.armDeadlineTimer();
    if (this.inflight !== null) return; // group commit: goes with the next batch
    if (this.queue.length >= this.options.maxBatchMessages) {
      this.flush();
    } else if (this.flushImmediate === null && this.flushTimer === null) {
      if (this.options.lingerMs > 0) this.flushTimer = setTimeout(this.flush, this.options.lingerMs);
      else this.flushImmediate = setImmediate(this.flush);
    }
  }

  /** Rejects whatever is left, stops reconnecting and disconnects. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.cancelFlush();
    if (this.deadlineTimer !== null) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    this.wake();
    const stopped = this.unavailable('Kafka unavailable: the appender is stopped', 'not-sent');
    for (const item of this.queue.drain()) this.settle(item, stopped, 'stopped');
    const batch = this.inflight;
    this.inflight = null;
    if (batch !== null) {
      const unknown = this.unavailable('Kafka unavailable: the appender stopped before the broker answered', 'unknown');
      for (const item of batch.items) this.settle(item, unknown, 'stopped');
    }
    const producer = this.producer;
    this.producer = null;
    if (producer !== null) await disconnectQuietly(producer);
  }

  private readonly flush = (): void => {
    this.cancelFlush();
    const producer = this.producer;
    if (this.inflight !== null || this.state !== 'ready' || producer === null || this.queue.length === 0) return;
    const { maxBatchMessages, maxBatchBytes } = this.options;
    const startedAt = now();
    const items: PendingAppend[] = [];
    const byTopic = new Map<string, { messages: Message[]; counts: number[] }>();
    let bytes = 0;
    while (items.length < maxBatchMessages) {
      const next = this.queue.peek();
      if (next === undefined) break;
      if (next.deadline <= startedAt) {
        this.queue.shift();
        this.settle(next, this.timedOut('not-sent'), 'timeout');
        continue;
      }
      if (items.length > 0 && bytes + next.bytes > maxBatchBytes) break;
      this.queue.shift();
      bytes += next.bytes;
      items.push(next);
      let group = byTopic.get(next.topic);
      if (group === undefined) {
        group = { messages: [], counts: [] };
        byTopic.set(next.topic, group);
      }
      next.index = group.counts[next.partition] ?? 0;
      group.counts[next.partition] = next.index + 1;
      group.messages.push(next.message);
    }
    if (items.length === 0) return;
    const batch: InFlightBatch = { items, bytes, startedAt, cursor: 0, promise: null };
    this.inflight = batch;
    const topicMessages = Array.from(byTopic, ([topic, group]) => ({ topic, messages: group.messages }));
    let promise: Promise<RecordMetadata[]>;
    try {
      promise = producer.sendBatch({
        topicMessages,
        acks: -1,
        timeout: this.options.ackTimeoutMs,
        compression: CompressionTypes.None,
      });
    } catch (error) {
      promise = Promise.reject(error);
    }
    batch.promise = promise;
    promise.then(
      (metadata) => this.onSent(batch, metadata),
      (error: unknown) => this.onSendFailed(batch, error),
    );
    if (this.deadlineTimer === null) this.armDeadlineTimer();
  };

  private onSent(batch: InFlightBatch, metadata: RecordMetadata[]): void {
    const report = { shard: this.options.id, messages: batch.items.length, bytes: batch.bytes, durationMs: now() - batch.startedAt };
    if (this.inflight !== batch) {
      // Abandoned after its deadline: its appends were answered "outcome unknown"; it landed.
      this.options.log('warn', 'a timed-out Kafka batch was acknowledged late', report);
      return;
    }
    this.inflight = null;
    const baseOffsets = new Map<string, bigint>();
    for (const entry of metadata) {
      if (entry.baseOffset !== undefined) baseOffsets.set(`${entry.partition}:${entry.topicName}`, BigInt(entry.baseOffset));
    }
    const { stats } = this.options;
    stats.messagesAppended += batch.items.length;
    stats.recordBatch(batch.items.length, true);
    for (const item of batch.items) {
      if (item.settled) continue;
      const base = baseOffsets.get(`${item.partition}:${item.topic}`);
      item.settled = true;
      if (base === undefined) {
        stats.appendsFailed.other++;
        item.reject(new Error(`Kafka response has no base offset for ${item.topic}/${item.partition}`));
      } else {
        item.resolve({ topic: item.topic, partition: item.partition, offset: (base + BigInt(item.index)).toString() });
      }
    }
    this.options.onBatch?.({ ...report, ok: true });
    if (this.queue.length > 0) this.flush();
  }

  private onSendFailed(batch: InFlightBatch, error: unknown): void {
    if (this.inflight !== batch) return; // abandoned: already failed over
    this.fail(batch, error, false);
  }

  /** The batch failed or timed out: answer everything, then replace the producer. */
  private fail(batch: InFlightBatch, cause: unknown, stillInFlight: boolean): void {
    this.inflight = null;
    this.cancelFlush();
    const { stats } = this.options;
    stats.recordBatch(batch.items.length, false);
    this.options.onBatch?.({ shard: this.options.id, messages: batch.items.length, bytes: batch.bytes, durationMs: now() - batch.startedAt, ok: false });
    this.options.log('error', 'Kafka batch failed; recreating the producer', {
      shard: this.options.id,
      messages: batch.items.length,
      error: errorMessage(cause),
      timedOut: stillInFlight,
    });
    const failed = this.unavailable(`Kafka did not acknowledge the event: ${errorMessage(cause)}`, 'unknown', cause);
    for (const item of batch.items) this.settle(item, failed, stillInFlight ? 'timeout' : 'send-failed');
    const notSent = this.unavailable('Kafka unavailable: the producer is being recreated', 'not-sent', cause);
    for (const item of this.queue.drain()) this.settle(item, notSent, 'unavailable');
    void this.recover(stillInFlight ? batch.promise : null);
  }

  /**
   * Discards the producer (its sequence numbers may be wrong) and connects a new one with
   * backoff. A timed-out send is first given `abandonedSendWaitMs` to settle, so that its
   * internal retries cannot land after the new producer's records (per-key order).
   */
  private async recover(abandoned: Promise<unknown> | null): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'recovering';
    const old = this.producer;
    this.producer = null;
    if (abandoned !== null) {
      await Promise.race([abandoned.then(noop, noop), this.sleep(this.options.abandonedSendWaitMs)]);
      this.wake();
    }
    if (old !== null) await disconnectQuietly(old);
    let delay = this.options.reconnectBackoffMs.initial;
    while (this.state === 'recovering') {
      const producer = this.options.createProducer();
      try {
        await producer.connect();
      } catch (error) {
        await disconnectQuietly(producer);
        if (this.state !== 'recovering') return;
        this.options.log('warn', 'Kafka producer reconnect failed', { shard: this.options.id, error: errorMessage(error), retryInMs: delay });
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.options.reconnectBackoffMs.max);
        continue;
      }
      if (this.state !== 'recovering') {
        await disconnectQuietly(producer);
        return;
      }
      this.producer = producer;
      this.state = 'ready';
      this.options.stats.producerRecreations++;
      this.options.log('info', 'Kafka producer reconnected', { shard: this.options.id });
    }
  }

  private armDeadlineTimer(): void {
    let next = Number.POSITIVE_INFINITY;
    const batch = this.inflight;
    if (batch !== null) {
      while (batch.cursor < batch.items.length && batch.items[batch.cursor].settled) batch.cursor++;
      next = batch.startedAt + this.options.ackTimeoutMs;
      if (batch.cursor < batch.items.length) next = Math.min(next, batch.items[batch.cursor].deadline);
    }
    const head = this.queue.peek();
    if (head !== undefined) next = Math.min(next, head.deadline);
    if (next === Number.POSITIVE_INFINITY) return;
    this.deadlineTimer = setTimeout(this.onDeadline, Math.max(0, Math.ceil(next - now())) + 1);
  }

  private readonly onDeadline = (): void => {
    this.deadlineTimer = null;
    if (this.state === 'closed') return;
    const t = now();
    const batch = this.inflight;
    if (batch !== null) {
      if (t >= batch.startedAt + this.options.ackTimeoutMs) {
        this.fail(batch, new Error(`no acknowledgement within ${this.options.ackTimeoutMs} ms`), true);
      } else {
        const items = batch.items;
        while (batch.cursor < items.length && (items[batch.cursor].settled || items[batch.cursor].deadline <= t)) {
          this.settle(items[batch.cursor], this.timedOut('unknown'), 'timeout');
          batch.cursor++;
        }
      }
    }
    for (let head = this.queue.peek(); head !== undefined && head.deadline <= t; head = this.queue.peek()) {
      this.queue.shift();
      this.settle(head, this.timedOut('not-sent'), 'timeout');
    }
    this.armDeadlineTimer();
  };

  private settle(item: PendingAppend, error: Error, kind: AppendFailureKind): void {
    if (item.settled) return;
    item.settled = true;
    this.options.stats.appendsFailed[kind]++;
    item.reject(error);
  }

  private timedOut(outcome: AppendOutcome): KafkaUnavailableError {
    return this.unavailable(`Kafka did not acknowledge the event within ${this.options.ackTimeoutMs} ms`, outcome);
  }

  private unavailable(message: string, outcome: AppendOutcome, cause?: unknown): KafkaUnavailableError {
    return new KafkaUnavailableError(message, { retryAfterSeconds: this.options.retryAfterSeconds, outcome, cause });
  }

  private cancelFlush(): void {
    if (this.flushImmediate !== null) clearImmediate(this.flushImmediate);
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushImmediate = null;
    this.flushTimer = null;
  }

  /** A sleep that `close()` cuts short. */
  private sleep(ms: number): Promise<void> {
    this.wake();
    return new Promise((resolve) => {
      if (this.state === 'closed') return resolve();
      this.wakeSleeper = resolve;
      this.sleepTimer = setTimeout(() => this.wake(), ms);
    });
  }

  private wake(): void {
    if (this.sleepTimer !== null) clearTimeout(this.sleepTimer);
    this.sleepTimer = null;
    const wake = this.wakeSleeper;
    this.wakeSleeper = null;
    wake?.();
  }
}

const noop = (): void => undefined;

const disconnectQuietly = async (producer: BatchProducer): Promise<void> => {
  try {
    await producer.disconnect();
  } catch {
    // a producer being discarded may fail to disconnect cleanly; nothing to do
  }
};
