import { Admin, Kafka } from 'kafkajs';

export interface ProjectorLagOptions {
  readonly kafka: Kafka;
  /** The projector's consumer group (its PROJECTOR_GROUP_ID). */
  readonly groupId: string;
  /** Physical event topics the projector consumes. */
  readonly topics: readonly string[];
  readonly intervalMs: number;
  readonly onError?: (error: unknown) => void;
}

export interface ProjectorLagReading {
  /** Events between the group's committed offsets and the log end; undefined when unknown. */
  readonly lagEvents: number | undefined;
  /** Why it is unknown, if it is. */
  readonly note?: string;
}

/**
 * Samples the projector's lag off the request path: every `intervalMs`, one OffsetFetch for the
 * group and one ListOffsets per topic on a kept-open admin client. The projector commits its
 * consumer offsets after each applied batch; they trail its real checkpoints (stored with the
 * read models) by at most a batch, which is precise enough to decide whether to shed. A
 * partition the group never committed counts as no lag, and a failed or stale sample as
 * unknown: missing information never makes the ingest refuse work.
 */
export class ProjectorLagSampler {
  private admin: Admin | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private reading: ProjectorLagReading = { lagEvents: undefined, note: 'not sampled yet' };
  private sampledAt = 0;

  constructor(private readonly options: ProjectorLagOptions) {}

  start(): void {
    this.schedule(0);
  }

  /** The latest reading; unknown when older than three intervals. */
  latest(now = Date.now()): ProjectorLagReading {
    if (this.reading.lagEvents !== undefined && now - this.sampledAt > 3 * this.options.intervalMs) {
      return { lagEvents: undefined, note: 'last sample is stale' };
    }
    return this.reading;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.dropAdmin();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.sampleOnce().finally(() => this.schedule(this.options.intervalMs)), ms);
    this.timer.unref();
  }

  private async sampleOnce(): Promise<void> {
    try {
      if (this.admin === null) {
        const admin = this.options.kafka.admin();
        this.admin = admin;
        await admin.connect();
      }
      const admin = this.admin;
      const topics = [...this.options.topics];
      const [committed, ends] = await Promise.all([
        admin.fetchOffsets({ groupId: this.options.groupId, topics }),
        Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) }))),
      ]);
      const committedOf = new Map<string, bigint>();
      for (const { topic, partitions } of committed) {
        for (const { partition, offset } of partitions) if (Number(offset) >= 0) committedOf.set(`${topic}:${partition}`, BigInt(offset));
      }
      let lag = 0n;
      for (const { topic, partitions } of ends) {
        for (const { partition, high } of partitions) {
          const at = committedOf.get(`${topic}:${partition}`);
          if (at !== undefined && BigInt(high) > at) lag += BigInt(high) - at;
        }
      }
      this.reading =
        committedOf.size === 0
          ? { lagEvents: undefined, note: `consumer group ${this.options.groupId} has no committed offsets` }
          : { lagEvents: Number(lag) };
      this.sampledAt = Date.now();
    } catch (error) {
      this.reading = { lagEvents: undefined, note: `sample failed: ${error instanceof Error ? error.message : String(error)}` };
      this.options.onError?.(error);
      await this.dropAdmin();
    }
  }

  private async dropAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    if (admin !== null) await admin.disconnect().catch(() => undefined);
  }
}
