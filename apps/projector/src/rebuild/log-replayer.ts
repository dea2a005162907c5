import { randomUUID } from 'node:crypto';
import { DomainEvent, TOPIC_NAMES, TopicName, decodeEvent, physicalTopic, topicOf } from '@app/events';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { PartitionPosition, PositionedEvent, Projection, ProjectionBatch, mergePositions, partitionKey } from '../projection/projection-batch';

export interface LogReplayerOptions {
  readonly kafka: Kafka;
  readonly topicPrefix: string;
  /** The fresh projections (rebuild schema, new Redis generation); each keeps its own checkpoint. */
  readonly projections: readonly Projection[];
  /** Throwaway consumer group `${groupIdPrefix}${uuid}`: nothing is committed, it is deleted at stop. */
  readonly groupIdPrefix?: string;
  /** Bytes fetched per partition and request (default 4 MiB ≈ 12,000 votes). */
  readonly maxBytesPerPartition?: number;
  /** Partition batches fetched at once; they are merged into one projection batch (default 6). */
  readonly partitionsConsumedConcurrently?: number;
  /** Upper bound on the events of one merged batch (default 60,000). */
  readonly maxEventsPerApply?: number;
  readonly sessionTimeoutMs?: number;
}

export interface ReplayStats {
  /** Records read and applied (events and undecodable records), since start. */
  readonly records: number;
  /** Events at or above the fresh projections' checkpoints (Postgres' count). */
  readonly applied: number;
  /** Records that do not decode: skipped like the live projector skips them (it already dead-lettered them). */
  readonly undecodable: number;
  readonly applies: number;
  /** Time spent in each projection's apply (they run side by side), per projection name. */
  readonly applyMs: Readonly<Record<string, number>>;
}

interface Pending {
  readonly events: PositionedEvent[];
  readonly positions: PartitionPosition[];
  readonly records: number;
  readonly undecodable: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Replays the event topics into fresh projections: a dedicated kafkajs consumer in a throwaway
 * group that commits nothing (its position is the projections' own checkpoint, as for the live
 * projector). On every assignment the partitions are sought to the lower of the projections'
 * stored next offsets (0 for a fresh schema). Partition batches fetched concurrently are merged
 * into one ProjectionBatch and applied to every projection at once (one Postgres transaction and
 * one Redis script per merged batch, like the live projector but bigger), which is what makes a
 * replay fast. It keeps following the tail until stop().
 */
export class LogReplayer {
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private readonly topics: string[];
  private readonly logicalTopic = new Map<string, TopicName>();
  /** Next offset applied to every projection, per "topic:partition" (known once sought). */
  private readonly applied = new Map<string, bigint>();
  private readonly soughtFor = new Map<string, bigint>();
  private readonly queue: Pending[] = [];
  private draining = false;
  private halted = false;
  private inFlight = 0;
  private failure: unknown = undefined;
  private running = false;
  private readonly counters = { records: 0, applied: 0, undecodable: 0, applies: 0 };
  private readonly applyMs: Record<string, number> = {};

  constructor(private readonly options: LogReplayerOptions) {
    for (const name of TOPIC_NAMES) this.logicalTopic.set(physicalTopic(options.topicPrefix, name), name);
    this.topics = [...this.logicalTopic.keys()];
    this.groupId = `${options.groupIdPrefix ?? 'rebuild-'}${randomUUID()}`;
    this.consumer = options.kafka.consumer({
      groupId: this.groupId,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
      maxWaitTimeInMs: 200,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      allowAutoTopicCreation: false,
    });
  }

  get physicalTopics(): readonly string[] {
    return this.topics;
  }

  async start(): Promise<void> {
    this.running = true;
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => this.onAssignment(event.payload.memberAssignment));
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.failure ??= payload.error;
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 6,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  isRunning(): boolean {
    return this.running && !this.halted;
  }

  /**
   * Stops applying at once, without leaving the group (which takes a while): fetching pauses, the
   * apply in progress finishes, batches delivered later are ignored. The projections are not
   * written after this resolves. Call stop() afterwards; a halted replayer does not resume.
   */
  async halt(): Promise<void> {
    this.halted = true;
    try {
      this.consumer.pause(this.topics.map((topic) => ({ topic })));
    } catch {
      // not running yet: nothing to pause
    }
    while (this.inFlight > 0 || this.draining || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Lets the apply in progress finish and leaves the group (nothing is applied after this resolves). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.consumer.disconnect().catch(() => undefined);
    while (this.draining) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Deletes the throwaway consumer group (after stop; kept out of stop, which the swap waits on). */
  async deleteGroup(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([this.groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect().catch(() => undefined));
  }

  /** A replay error (a projection refusing a batch): the rebuild must stop, not go on. */
  error(): unknown {
    return this.failure;
  }

  stats(): ReplayStats {
    return { ...this.counters, applyMs: { ...this.applyMs } };
  }

  /** Next offset applied to the fresh projections, per "topic:partition" sought so far. */
  positions(): ReadonlyMap<string, bigint> {
    return new Map(this.applied);
  }

  /** Resolves once every partition of `targets` is applied up to its target (absent target = done). */
  async waitUntil(targets: ReadonlyMap<string, bigint>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const behind = [...targets].filter(([key, target]) => target > 0n && (this.applied.get(key) ?? 0n) < target);
      if (behind.length === 0) return;
      if (Date.now() > deadline) {
        const [key, target] = behind[0];
        throw new Error(`replay did not reach the targets within ${timeoutMs} ms (${key} at ${this.applied.get(key) ?? 0n} of ${target})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    const assigned = Object.entries(assignment)
      .filter(([topic]) => this.logicalTopic.has(topic))
      .map(([topic, partitions]) => ({ topic, partitions }));
    if (assigned.length === 0) return;
    this.consumer.pause(assigned);
    void this.seekToCheckpoints(assigned);
  }

  private async seekToCheckpoints(assigned: readonly { topic: string; partitions: number[] }[]): Promise<void> {
    try {
      const stored = await Promise.all(this.options.projections.map((p) => p.nextOffsets(assigned.map((a) => a.topic))));
      this.soughtFor.clear();
      for (const { topic, partitions } of assigned) {
        for (const partition of partitions) {
          const key = partitionKey(topic, partition);
          const next = stored.map((m) => m.get(key) ?? 0n).reduce((a, b) => (a < b ? a : b));
          this.applied.set(key, next);
          this.consumer.seek({ topic, partition, offset: next.toString() });
        }
      }
      this.consumer.resume([...assigned]);
    } catch (error) {
      this.failure ??= error;
    }
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    this.inFlight += 1;
    try {
      await this.applyBatch(payload);
    } finally {
      this.inFlight -= 1;
    }
  }

  private async applyBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.halted || !isRunning() || isStale() || batch.isEmpty() || this.failure !== undefined) return;
    const { topic, partition } = batch;
    const key = partitionKey(topic, partition);
    const expected = this.applied.get(key);
    if (expected === undefined) return; // not sought yet: the paused partition resumes after its seek
    const first = BigInt(batch.firstOffset() ?? '0');
    if (first !== expected && this.soughtFor.get(key) !== expected) {
      this.soughtFor.set(key, expected);
      this.consumer.seek({ topic, partition, offset: expected.toString() });
      return;
    }
    const events: PositionedEvent[] = [];
    let undecodable = 0;
    for (const message of batch.messages) {
      const event = this.decode(topic, message.value);
      if (event) events.push({ topic, partition, offset: message.offset, event });
      else undecodable += 1;
    }
    const next = BigInt(batch.lastOffset()) + 1n;
    await new Promise<void>((resolve, reject) => {
      this.queue.push({
        events,
        positions: [{ topic, partition, nextOffset: next.toString() }],
        records: batch.messages.length,
        undecodable,
        resolve,
        reject,
      });
      setImmediate(() => void this.drain());
    });
    this.applied.set(key, next);
    resolveOffset(batch.lastOffset());
    await heartbeat();
  }

  /** Applies whatever partition batches are waiting as one batch; one apply at a time. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const limit = this.options.maxEventsPerApply ?? 60_000;
        const taken: Pending[] = [];
        let size = 0;
        while (this.queue.length > 0 && (taken.length === 0 || size + this.queue[0].events.length <= limit)) {
          const next = this.queue.shift() as Pending;
          taken.push(next);
          size += next.events.length;
        }
        const merged: ProjectionBatch = {
          events: taken.flatMap((p) => p.events),
          positions: mergePositions(taken.flatMap((p) => p.positions)),
        };
        try {
          const reports = await Promise.all(
            this.options.projections.map(async (p) => {
              const started = Date.now();
              const report = await p.apply(merged);
              this.applyMs[p.name] = (this.applyMs[p.name] ?? 0) + Date.now() - started;
              return report;
            }),
          );
          this.counters.applies += 1;
          this.counters.applied += reports[0]?.applied ?? 0;
          for (const p of taken) {
            this.counters.records += p.records;
            this.counters.undecodable += p.undecodable;
            p.resolve();
          }
        } catch (error) {
          this.failure ??= error;
          for (const p of taken) p.reject(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private decode(topic: string, value: Buffer | null): DomainEvent | undefined {
    const decoded = decodeEvent(value);
    if (!decoded.ok) return undefined;
    return topicOf(decoded.event.type) === this.logicalTopic.get(topic) ? decoded.event : undefined;
  }
}
