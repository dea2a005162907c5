import { DomainEvent, TOPIC_NAMES, TopicName, decodeEvent, physicalTopic, topicOf } from '@app/events';
import { Consumer, ConsumerRunConfig, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { CheckpointLostError } from './checkpoint-lost';
import { DeadLetter, deadLetterMessage } from './dead-letter';
import { ApplyReport, PositionedEvent, Projection, ProjectionBatch, partitionKey } from './projection-batch';

export interface ProjectorRunnerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  /** Prefix of the physical topics (`${prefix}votes`, …, `${prefix}dead-letters`). */
  readonly topicPrefix: string;
  /** Each keeps its own checkpoint; every batch goes to all of them. */
  readonly projections: readonly Projection[];
  /** Partitions whose batches are applied at the same time (default 4). */
  readonly partitionsConsumedConcurrently?: number;
  /** Bounds a batch (default 2 MiB ≈ 8,000 votes). */
  readonly maxBytesPerPartition?: number;
  readonly sessionTimeoutMs?: number;
  /** Called after every applied batch (feeds the batch-latency histogram). */
  readonly onBatch?: (info: BatchInfo) => void;
  readonly onDeadLetter?: (letter: DeadLetter) => void;
  /** Failures the runner recovers from by itself (checkpoint reads on assignment). */
  readonly onError?: (error: unknown) => void;
}

export interface BatchInfo {
  readonly topic: string;
  readonly partition: number;
  readonly records: number;
  readonly durationMs: number;
}

export interface ProjectorStats {
  /** Events at or above a projection's checkpoint, per projection name. */
  readonly eventsApplied: Record<string, number>;
  /** Events a projection had already applied (redelivery), per projection name. */
  readonly eventsSkipped: Record<string, number>;
  readonly batches: number;
  readonly lastBatchMs: number;
  readonly maxBatchMs: number;
  readonly totalBatchMs: number;
  readonly deadLetters: number;
  /** High watermark − next offset to apply, per "topic:partition" this instance consumed. */
  readonly lag: Record<string, number>;
}

/**
 * The projector's consumer loop (DESIGN.md invariant 2, "Pitfalls"). Kafka's committed offsets
 * are a hint only: the checkpoint is each projection's stored next offset. On every assignment
 * each partition is sought to the lowest stored next offset of the projections, and every batch
 * is checked against it before being applied, so a start from a stale or too-far committed offset
 * cannot skip records. Each projection skips what it already applied, so redelivery is harmless.
 * Records that cannot be decoded go to the dead-letter topic first, then the batch is applied
 * and the checkpoints move past them.
 */
export class ProjectorRunner {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly topics: readonly string[];
  private readonly logicalTopic = new Map<string, TopicName>();
  /** Next offset each assigned partition must resume from (absent: load it first). */
  private readonly resumeFrom = new Map<string, bigint>();
  /** Partitions sought back once for a gap: if the log really has one, accept it. */
  private readonly soughtFor = new Map<string, bigint>();
  private stopping = false;
  private restarting = false;
  private crashedWhileRestarting = false;
  private restarts = 0;
  private readonly stats_ = {
    eventsApplied: {} as Record<string, number>,
    eventsSkipped: {} as Record<string, number>,
    batches: 0,
    lastBatchMs: 0,
    maxBatchMs: 0,
    totalBatchMs: 0,
    deadLetters: 0,
    lag: {} as Record<string, number>,
  };

  constructor(private readonly options: ProjectorRunnerOptions) {
    for (const name of TOPIC_NAMES) this.logicalTopic.set(physicalTopic(options.topicPrefix, name), name);
    this.topics = [...this.logicalTopic.keys()];
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 2 * 1024 * 1024,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    });
    this.producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    for (const projection of options.projections) {
      this.stats_.eventsApplied[projection.name] = 0;
      this.stats_.eventsSkipped[projection.name] = 0;
    }
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => this.onAssignment(event.payload.memberAssignment));
    this.consumer.on(this.consumer.events.CRASH, (event) => this.onCrash(event.payload.error, event.payload.restart));
    await this.consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    await this.consumer.run(this.runConfig());
  }

  /** Lets the batch in progress finish, then leaves the group and disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  /** Times the consumer was started again after kafkajs gave up on it. */
  get restartsAfterCrash(): number {
    return this.restarts;
  }

  private runConfig(): ConsumerRunConfig {
    return {
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      eachBatch: (payload) => this.eachBatch(payload),
    };
  }

  /**
   * kafkajs restarts its consumer after retriable errors only. After one it deems final (e.g. no
   * group coordinator while a restarted broker is still loading its offsets topic) the consumer
   * stays stopped and the projector would apply nothing while looking healthy: start it again,
   * pausing longer after each failure (1 s, 2 s, … 30 s), until stop().
   */
  private onCrash(error: Error, willRestart: boolean): void {
    if (willRestart || this.stopping) return;
    this.options.onError?.(error);
    if (this.restarting) {
      this.crashedWhileRestarting = true;
      return;
    }
    this.restarting = true;
    void (async () => {
      for (let attempt = 0; !this.stopping; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** attempt, 30_000)));
        if (this.stopping) break;
        this.crashedWhileRestarting = false;
        try {
          await this.consumer.connect();
          await this.consumer.run(this.runConfig());
          if (!this.crashedWhileRestarting) {
            this.restarts += 1;
            break;
          }
        } catch (failure) {
          this.options.onError?.(failure);
          await this.consumer.disconnect().catch(() => undefined);
        }
      }
      this.restarting = false;
    })();
  }

  stats(): ProjectorStats {
    return {
      ...this.stats_,
      eventsApplied: { ...this.stats_.eventsApplied },
      eventsSkipped: { ...this.stats_.eventsSkipped },
      lag: { ...this.stats_.lag },
    };
  }

  /**
   * Runs synchronously inside kafkajs' GROUP_JOIN, before the first fetch of the new generation:
   * the assigned partitions are paused until they are sought to the stored checkpoints.
   */
  private onAssignment(assignment: Record<string, number[]>): void {
    this.resumeFrom.clear();
    this.soughtFor.clear();
    const assigned = Object.entries(assignment)
      .filter(([topic]) => this.logicalTopic.has(topic))
      .map(([topic, partitions]) => ({ topic, partitions }));
    if (assigned.length === 0) return;
    this.consumer.pause(assigned);
    void this.seekToCheckpoints(assigned);
  }

  private async seekToCheckpoints(assigned: readonly { topic: string; partitions: number[] }[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const stored = await this.storedResumePoints(assigned.map((a) => a.topic));
        for (const { topic, partitions } of assigned) {
          for (const partition of partitions) {
            const next = stored.get(partitionKey(topic, partition)) ?? 0n;
            this.resumeFrom.set(partitionKey(topic, partition), next);
            this.consumer.seek({ topic, partition, offset: next.toString() });
          }
        }
        this.consumer.resume([...assigned]);
        return;
      } catch (error) {
        // The stores are unreachable: keep the partitions paused and try again.
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** attempt, 10_000)));
      }
    }
  }

  /** The lowest next offset over the projections (absent in one = 0: it must see everything). */
  private async storedResumePoints(topics: readonly string[]): Promise<Map<string, bigint>> {
    const perProjection = await Promise.all(this.options.projections.map((p) => p.nextOffsets(topics)));
    const keys = new Set(perProjection.flatMap((m) => [...m.keys()]));
    const result = new Map<string, bigint>();
    for (const key of keys) {
      result.set(key, perProjection.map((m) => m.get(key) ?? 0n).reduce((a, b) => (a < b ? a : b)));
    }
    return result;
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.isEmpty()) return;
    const started = Date.now();
    const { topic, partition } = batch;
    const key = partitionKey(topic, partition);
    let expected = this.resumeFrom.get(key);
    if (expected === undefined) {
      expected = (await this.storedResumePoints([topic])).get(key) ?? 0n;
      this.resumeFrom.set(key, expected);
    }
    const first = BigInt(batch.firstOffset() ?? '0');
    if (first !== expected && this.soughtFor.get(key) !== expected) {
      // Not where the checkpoint says (a seek lost in a rebalance, a committed offset ahead of
      // it): go there once. If the log really has a gap there, the next batch is accepted.
      this.soughtFor.set(key, expected);
      this.consumer.seek({ topic, partition, offset: expected.toString() });
      return;
    }

    const events: PositionedEvent[] = [];
    const letters: DeadLetter[] = [];
    for (const message of batch.messages) {
      const decoded = this.decode(topic, message);
      if (decoded.ok) events.push({ topic, partition, offset: message.offset, event: decoded.event });
      else letters.push({ topic, partition, offset: message.offset, reason: decoded.reason, key: message.key, value: message.value });
    }
    if (letters.length > 0) {
      await this.producer.send({
        topic: physicalTopic(this.options.topicPrefix, 'dead-letters'),
        acks: -1,
        messages: letters.map(deadLetterMessage),
      });
      this.stats_.deadLetters += letters.length;
      letters.forEach((letter) => this.options.onDeadLetter?.(letter));
    }

    const next = BigInt(batch.lastOffset()) + 1n;
    const projectionBatch: ProjectionBatch = { events, positions: [{ topic, partition, nextOffset: next.toString() }] };
    const settled = await Promise.allSettled(this.options.projections.map((p) => p.apply(projectionBatch)));
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    if (failures.length > 0) {
      if (!failures.every((f) => f instanceof CheckpointLostError)) throw failures.find((f) => !(f instanceof CheckpointLostError));
      // A store lost its keys: replay this partition from what the projections store now (the
      // others skip what they already have), as after an assignment.
      failures.forEach((f) => this.options.onError?.(f));
      const stored = (await this.storedResumePoints([topic])).get(key) ?? 0n;
      this.resumeFrom.set(key, stored);
      this.soughtFor.delete(key);
      this.consumer.seek({ topic, partition, offset: stored.toString() });
      return;
    }
    const reports = settled.map((s) => (s as PromiseFulfilledResult<ApplyReport>).value);
    reports.forEach((report, i) => {
      const name = this.options.projections[i].name;
      this.stats_.eventsApplied[name] += report.applied;
      this.stats_.eventsSkipped[name] += report.skipped;
    });
    resolveOffset(batch.lastOffset());
    this.resumeFrom.set(key, next);
    this.stats_.lag[key] = Math.max(0, Number(BigInt(batch.highWatermark) - next));
    await this.consumer.commitOffsets([{ topic, partition, offset: next.toString() }]).catch(() => undefined);
    await heartbeat();

    const durationMs = Date.now() - started;
    this.stats_.batches += 1;
    this.stats_.lastBatchMs = durationMs;
    this.stats_.maxBatchMs = Math.max(this.stats_.maxBatchMs, durationMs);
    this.stats_.totalBatchMs += durationMs;
    this.options.onBatch?.({ topic, partition, records: batch.messages.length, durationMs });
  }

  private decode(topic: string, message: KafkaMessage): { ok: true; event: DomainEvent } | { ok: false; reason: string } {
    const decoded = decodeEvent(message.value);
    if (!decoded.ok) return decoded;
    const expected = this.logicalTopic.get(topic);
    const actual = topicOf(decoded.event.type);
    if (expected !== actual) return { ok: false, reason: `${decoded.event.type} belongs on topic ${actual}, found on ${topic}` };
    return decoded;
  }
}
