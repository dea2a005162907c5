import { DecodeResult, decodeEvent } from '@app/events';
import { randomUUID } from 'node:crypto';
import { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { errorMessage } from './errors';
import { LogSink, stderrJsonSink } from './kafka-options';
import { partitionOffsetsWith } from './topic-admin';

/** One record as read from the log; topic/partition/offset are its position. */
export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  /** 64-bit offset as a decimal string. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly timestamp: string;
}

/**
 * Called once per record, in log order within a partition. An undecodable record arrives as
 * `{ok: false, reason}` (never thrown). A returned promise is awaited before the next record; a
 * handler that throws stops the reader (`done` and, if pending, `caughtUp` reject).
 */
export type LogEventHandler = (decoded: DecodeResult, record: LogRecord) => void | Promise<void>;

export interface ReadLogOptions {
  /** Keep consuming after the catch-up (e.g. to see other ingest instances' events). Default false. */
  readonly follow?: boolean;
  /** The throwaway consumer group is `${groupIdPrefix}${uuid}`. Default 'log-reader-'. */
  readonly groupIdPrefix?: string;
  /** Default 4 MiB (fast replay). */
  readonly maxBytesPerPartition?: number;
  readonly log?: LogSink;
}

export type Positions = Map<string, Map<number, bigint>>;

export interface LogReader {
  /** Every partition was delivered up to its high watermark taken at start. */
  readonly caughtUp: Promise<void>;
  /** Reading ended: after the catch-up when not following, else after stop(). Rejects on failure. */
  readonly done: Promise<void>;
  /** The high watermarks taken at start (empty until they were read). */
  readonly startWatermarks: Positions;
  /** Next offset to deliver of each partition read so far. */
  positions(): Positions;
  stop(): Promise<void>;
}

/**
 * Reads `topics` from their first offset, without committing anything to a consumer group
 * (a throwaway group id is used only because kafkajs consumers need one; it is deleted at stop).
 */
export const readLog = (kafka: Kafka, topics: readonly string[], onEvent: LogEventHandler, options: ReadLogOptions = {}): LogReader =>
  new KafkaLogReader(kafka, topics, onEvent, options);

interface Deferred {
  readonly promise: Promise<void>;
  settled: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

const deferred = (): Deferred => {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a rejection nobody awaits must not crash the process
  const d: Deferred = {
    promise,
    settled: false,
    resolve: () => {
      if (d.settled) return;
      d.settled = true;
      resolve();
    },
    reject: (error) => {
      if (d.settled) return;
      d.settled = true;
      reject(error);
    },
  };
  return d;
};

const HEARTBEAT_EVERY = 2000;

class KafkaLogReader implements LogReader {
  private readonly caughtUpD = deferred();
  private readonly doneD = deferred();
  readonly startWatermarks: Positions = new Map();
  private readonly next: Positions = new Map();
  /** `${partition}:${topic}` of the partitions not yet read up to their start watermark. */
  private readonly pending = new Set<string>();
  private readonly follow: boolean;
  private readonly log: LogSink;
  private readonly groupId: string;
  private consumer: Consumer | null = null;
  private stopping: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: readonly string[],
    private readonly onEvent: LogEventHandler,
    private readonly options: ReadLogOptions,
  ) {
    this.follow = options.follow ?? false;
    this.log = options.log ?? stderrJsonSink;
    this.groupId = `${options.groupIdPrefix ?? 'log-reader-'}${randomUUID()}`;
    void this.run();
  }

  get caughtUp(): Promise<void> {
    return this.caughtUpD.promise;
  }

  get done(): Promise<void> {
    return this.doneD.promise;
  }

  positions(): Positions {
    return new Map(Array.from(this.next, ([topic, partitions]) => [topic, new Map(partitions)]));
  }

  stop(): Promise<void> {
    return this.shutdown(null);
  }

  private async run(): Promise<void> {
    try {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        for (const topic of this.topics) {
          const offsets = await partitionOffsetsWith(admin, topic);
          const watermarks = new Map<number, bigint>();
          const next = new Map<number, bigint>();
          for (const { partition, low, high } of offsets) {
            watermarks.set(partition, high);
            next.set(partition, low);
            if (high > low) this.pending.add(`${partition}:${topic}`);
          }
          this.startWatermarks.set(topic, watermarks);
          this.next.set(topic, next);
        }
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      if (this.pending.size === 0) this.onCaughtUp();
      if (this.stopped || (!this.follow && this.pending.size === 0)) return;

      const consumer = this.kafka.consumer({
        groupId: this.groupId,
        maxBytesPerPartition: this.options.maxBytesPerPartition ?? 4 * 1024 * 1024,
        maxBytes: 64 * 1024 * 1024,
        maxWaitTimeInMs: 500,
        allowAutoTopicCreation: false,
      });
      this.consumer = consumer;
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        // Nothing is committed, so a rejoin would start over from offset 0: resume where we are.
        if (joined) this.seekToPositions(consumer);
        joined = true;
      });
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        // Batches of control records only never reach eachBatch; they still move the position.
        if (payload.batchSize === 0) this.progress(payload.topic, payload.partition, BigInt(payload.lastOffset) + 1n);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) void this.shutdown(payload.error);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
      if (this.stopped) return;
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: this.eachBatch });
    } catch (error) {
      await this.shutdown(error);
    }
  }

  private readonly eachBatch = async ({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> => {
    const { topic, partition } = batch;
    const positions = this.next.get(topic);
    if (positions === undefined) return;
    const target = this.startWatermarks.get(topic)?.get(partition) ?? 0n;
    let next = positions.get(partition) ?? 0n;
    let complete = true;
    let count = 0;
    for (const message of batch.messages) {
      if (this.stopped || !isRunning() || isStale()) {
        complete = false;
        break;
      }
      const offset = BigInt(message.offset);
      if (offset < next) continue; // redelivered after a rebalance
      if (!this.follow && offset >= target) break;
      const record: LogRecord = {
        topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
        timestamp: message.timestamp,
      };
      try {
        const result = this.onEvent(decodeEvent(message.value), record);
        if (result !== undefined) await result;
      } catch (error) {
        void this.shutdown(error);
        return;
      }
      next = offset + 1n;
      positions.set(partition, next);
      this.progress(topic, partition, next);
      if (++count % HEARTBEAT_EVERY === 0) await heartbeat();
    }
    if (complete && !this.stopped && batch.messages.length > 0) {
      // Offsets may have gaps (control records); the batch's last offset is still read.
      const last = BigInt(batch.lastOffset()) + 1n;
      if (last > next && (this.follow || last <= target)) positions.set(partition, last);
      this.progress(topic, partition, last);
    }
  };

  private progress(topic: string, partition: number, nextOffset: bigint): void {
    const key = `${partition}:${topic}`;
    if (!this.pending.has(key)) return;
    const target = this.startWatermarks.get(topic)?.get(partition) ?? 0n;
    if (nextOffset < target) return;
    this.pending.delete(key);
    if (this.pending.size === 0) this.onCaughtUp();
  }

  private onCaughtUp(): void {
    this.caughtUpD.resolve();
    if (!this.follow) setImmediate(() => void this.stop());
  }

  private seekToPositions(consumer: Consumer): void {
    for (const [topic, partitions] of this.next) {
      for (const [partition, offset] of partitions) consumer.seek({ topic, partition, offset: offset.toString() });
    }
  }

  private shutdown(error: unknown): Promise<void> {
    if (error !== null) {
      this.log('error', 'log reader failed', { groupId: this.groupId, error: errorMessage(error) });
      this.caughtUpD.reject(error);
      this.doneD.reject(error);
    }
    if (this.stopping === null) this.stopping = this.close();
    return this.stopping;
  }

  private async close(): Promise<void> {
    this.stopped = true;
    const consumer = this.consumer;
    this.consumer = null;
    if (consumer !== null) {
      await consumer.disconnect().catch(() => undefined);
      const admin = this.kafka.admin();
      await admin
        .connect()
        .then(() => admin.deleteGroups([this.groupId]))
        .catch(() => undefined)
        .finally(() => admin.disconnect().catch(() => undefined));
    }
    this.caughtUpD.reject(new Error('log reader stopped before catching up'));
    this.doneD.resolve();
  }
}
