import { CURRENT_VERSION, DomainEvent, DomainEventType, encodeEvent, keyOf, physicalTopic, TOPIC_NAMES, topicOf } from '@app/events';
import { IHeaders, Kafka, Producer } from 'kafkajs';
import { AppendFailureKind, AppenderStats, AppenderStatsSnapshot, BatchReport } from './appender-stats';
import { errorMessage, KafkaTopicNotFoundError, KafkaUnavailableError, RecordTooLargeError } from './errors';
import { LogSink, stderrJsonSink } from './kafka-options';
import { murmur2, Murmur2Partitioner, toPositive } from './murmur2-partitioner';
import { AppendResult, BatchProducer, PendingAppend, ProducerShard } from './producer-shard';
import { adminPartitionCounts, PartitionCountSource, topicSalt } from './topic-routes';

export interface EventAppenderOptions {
  readonly kafka: Kafka;
  /** Physical topic = `${topicPrefix}${name}` (env TOPIC_PREFIX). */
  readonly topicPrefix: string;
  /** Most messages in one sendBatch. Default 2000. */
  readonly maxBatchMessages?: number;
  /** Most encoded bytes in one sendBatch (under the broker's 1 MiB message.max.bytes). Default 900 000. */
  readonly maxBatchBytes?: number;
  /** Wait before sending a batch started while idle. Default 0 (next event-loop turn). */
  readonly lingerMs?: number;
  /** Deadline of every append, ≤ 5000 ms. Default 5000. */
  readonly ackTimeoutMs?: number;
  /** Idempotent producers, each owning a fixed set of partitions. Default 1. */
  readonly producers?: number;
  /** Carried by KafkaUnavailableError for the Retry-After header. Default 2. */
  readonly retryAfterSeconds?: number;
  /** A timed-out send may keep retrying this long before its producer is replaced. Default 15 000. */
  readonly abandonedSendWaitMs?: number;
  /** Reconnect backoff after a failure. Default 100 ms doubling to 5 s. */
  readonly reconnectBackoffMs?: { readonly initial: number; readonly max: number };
  /** Called when each sendBatch settles (wire a histogram here). */
  readonly onBatch?: (report: BatchReport) => void;
  readonly log?: LogSink;
  /** Test seams: defaults are kafkajs idempotent producers and admin metadata. */
  readonly producerFactory?: () => BatchProducer;
  readonly partitionCounts?: PartitionCountSource;
}

export type { AppendResult, BatchProducer } from './producer-shard';

export const MAX_ACK_TIMEOUT_MS = 5000;

/** The producer the appender uses: idempotent, one request in flight, acks=all, no auto-creation. */
export const createIdempotentProducer = (kafka: Kafka): Producer =>
  kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Murmur2Partitioner,
  });

interface Route {
  readonly partitionCount: number;
  /** Shard of each partition: a partition always goes through the same producer (per-key order). */
  readonly shardOf: readonly ProducerShard[];
}

type AppenderState = 'new' | 'running' | 'stopping' | 'stopped';

const EVENT_TYPES = Object.keys(CURRENT_VERSION) as DomainEventType[];

const HEADER_OVERHEAD = 'event-type'.length + 'schema-version'.length + 'event-id'.length + 'correlation-id'.length;
/** Record framing (varints, attributes, header counts): a generous upper bound per record. */
const RECORD_OVERHEAD = 48;

/**
 * Appends domain events to their Kafka topics, batching concurrent appends into shared
 * sendBatch calls (group commit) and answering each with its exact log position.
 */
export class EventAppender {
  private state: AppenderState = 'new';
  private readonly shards: ProducerShard[];
  private readonly counters = new AppenderStats();
  private readonly routes = new Map<string, Route>();
  private routeRefresh: Promise<void> | null = null;
  private routeRetryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopping: Promise<void> | null = null;
  private readonly reconnectBackoffMs: { readonly initial: number; readonly max: number };
  private readonly topicOfType: { readonly [T in DomainEventType]: string };
  private readonly eventTopics: readonly string[];
  private readonly partitionCounts: PartitionCountSource;
  private readonly log: LogSink;
  private readonly maxBatchBytes: number;
  readonly ackTimeoutMs: number;
  readonly retryAfterSeconds: number;

  constructor(options: EventAppenderOptions) {
    const ackTimeoutMs = options.ackTimeoutMs ?? MAX_ACK_TIMEOUT_MS;
    if (!(ackTimeoutMs > 0 && ackTimeoutMs <= MAX_ACK_TIMEOUT_MS)) {
      throw new RangeError(`ackTimeoutMs must be in (0, ${MAX_ACK_TIMEOUT_MS}], got ${ackTimeoutMs}`);
    }
    const producers = options.producers ?? 1;
    if (!Number.isInteger(producers) || producers < 1) throw new RangeError(`producers must be a positive integer, got ${producers}`);
    const maxBatchMessages = options.maxBatchMessages ?? 2000;
    this.maxBatchBytes = options.maxBatchBytes ?? 900_000;
    if (maxBatchMessages < 1 || this.maxBatchBytes < 1) throw new RangeError('batch limits must be positive');
    this.ackTimeoutMs = ackTimeoutMs;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 2;
    this.log = options.log ?? stderrJsonSink;
    this.reconnectBackoffMs = options.reconnectBackoffMs ?? { initial: 100, max: 5000 };
    const kafka = options.kafka;
    const createProducer = options.producerFactory ?? ((): BatchProducer => createIdempotentProducer(kafka));
    this.partitionCounts = options.partitionCounts ?? adminPartitionCounts(kafka);
    this.shards = Array.from(
      { length: producers },
      (_, id) =>
        new ProducerShard({
          id,
          createProducer,
          maxBatchMessages,
          maxBatchBytes: this.maxBatchBytes,
          lingerMs: options.lingerMs ?? 0,
          ackTimeoutMs,
          retryAfterSeconds: this.retryAfterSeconds,
          abandonedSendWaitMs: options.abandonedSendWaitMs ?? 15_000,
          reconnectBackoffMs: this.reconnectBackoffMs,
          stats: this.counters,
          onBatch: options.onBatch,
          log: this.log,
        }),
    );
    const prefix = options.topicPrefix;
    this.topicOfType = Object.fromEntries(EVENT_TYPES.map((type) => [type, physicalTopic(prefix, topicOf(type))])) as {
      [T in DomainEventType]: string;
    };
    this.eventTopics = TOPIC_NAMES.map((name) => physicalTopic(prefix, name));
  }

  /**
   * Connects the producers and loads the partition counts of the event topics. Resolves after
   * the first attempt even if Kafka is down (then `isHealthy()` is false, appends are rejected at
   * once with KafkaUnavailableError, and the connection is retried in the background).
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`EventAppender cannot start: it is ${this.state}`);
    this.state = 'running';
    await Promise.all([this.loadRoutes(this.reconnectBackoffMs.initial, true), ...this.shards.map((shard) => shard.start())]);
  }

  /**
   * Appends one event. Resolves with its log position once the broker acknowledged it (acks=all);
   * rejects with KafkaUnavailableError when that did not happen within `ackTimeoutMs`.
   */
  append(event: DomainEvent): Promise<AppendResult> {
    this.counters.appendsRequested++;
    const deadline = performance.now() + this.ackTimeoutMs;
    if (this.state !== 'running') return this.refuse(this.state === 'new' ? 'the appender is not started' : 'the appender is stopping');
    const topic = this.topicOfType[event.type];
    const route = this.routes.get(topic);
    if (route === undefined) return this.appendAfterRouting(event, topic, deadline);
    return this.enqueue(event, topic, route, deadline);
  }

  /** Readiness: running, connected, last send not failed, topic metadata loaded. */
  isHealthy(): boolean {
    return (
      this.state === 'running' && this.shards.every((shard) => shard.ready) && this.allRouted()
    );
  }

  /** Resolves true once healthy (loading topic metadata if needed), false after `timeoutMs`. */
  async whenHealthy(timeoutMs: number): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    while (this.state === 'running' && performance.now() < until) {
      if (this.shards.every((shard) => shard.ready) && !this.allRouted()) {
        await this.refreshRoutes().catch(() => undefined);
      }
      if (this.isHealthy()) return true;
      await delay(Math.min(50, Math.max(1, until - performance.now())));
    }
    return this.isHealthy();
  }

  stats(): AppenderStatsSnapshot {
    return this.counters.snapshot({
      queued: this.shards.reduce((n, shard) => n + shard.queued, 0),
      inFlight: this.shards.reduce((n, shard) => n + shard.inFlight, 0),
    });
  }

  /**
   * Refuses new appends, waits (at most `timeoutMs`, default ackTimeoutMs + 1 s) for queued and
   * in-flight appends to be answered, then disconnects.
   */
  stop(timeoutMs = this.ackTimeoutMs + 1000): Promise<void> {
    if (this.stopping === null) this.stopping = this.drainAndClose(timeoutMs);
    return this.stopping;
  }

  private async drainAndClose(timeoutMs: number): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    if (this.routeRetryTimer !== null) clearTimeout(this.routeRetryTimer);
    this.routeRetryTimer = null;
    const until = performance.now() + timeoutMs;
    while (!this.shards.every((shard) => shard.idle) && performance.now() < until) await delay(5);
    await Promise.all(this.shards.map((shard) => shard.close()));
    this.state = 'stopped';
  }

  private enqueue(event: DomainEvent, topic: string, route: Route, deadline: number): Promise<AppendResult> {
    const key = Buffer.from(keyOf(event), 'utf8');
    const partition = toPositive(murmur2(key)) % route.partitionCount;
    const value = encodeEvent(event);
    const correlationId = event.meta.correlationId;
    const headers: IHeaders = {
      'event-type': event.type,
      'schema-version': String(event.schemaVersion),
      'event-id': event.eventId,
      'correlation-id': correlationId,
    };
    const bytes =
      value.length + key.length + HEADER_OVERHEAD + event.type.length + event.eventId.length + Buffer.byteLength(correlationId) + 4 + RECORD_OVERHEAD;
    if (bytes > this.maxBatchBytes) {
      this.counters.appendsFailed.other++;
      return Promise.reject(new RecordTooLargeError(bytes, this.maxBatchBytes));
    }
    const shard = route.shardOf[partition];
    return new Promise<AppendResult>((resolve, reject) => {
      const pending: PendingAppend = {
        topic,
        partition,
        message: { key, value, partition, headers },
        bytes,
        deadline,
        index: 0,
        settled: false,
        resolve,
        reject,
      };
      shard.enqueue(pending);
    });
  }

  /** Slow path (the topic's partition count is not cached): refresh once, then fail clearly. */
  private async appendAfterRouting(event: DomainEvent, topic: string, deadline: number): Promise<AppendResult> {
    const remaining = deadline - performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.refreshRoutes(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`topic metadata not loaded within ${this.ackTimeoutMs} ms`)), remaining);
        }),
      ]);
    } catch (error) {
      return this.refuse(`Kafka unavailable: ${errorMessage(error)}`, error);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    if (this.state !== 'running') return this.refuse('the appender is stopping');
    const route = this.routes.get(topic);
    if (route === undefined) {
      this.counters.appendsFailed.other++;
      throw new KafkaTopicNotFoundError(topic);
    }
    return this.enqueue(event, topic, route, deadline);
  }

  private allRouted(): boolean {
    return this.eventTopics.every((topic) => this.routes.has(topic));
  }

  /**
   * Loads the event topics' partition counts, retrying in the background with backoff until all
   * are known (else readiness would stay false with no append to trigger a refresh).
   */
  private async loadRoutes(delayMs: number, first: boolean): Promise<void> {
    let problem: string | null = null;
    try {
      await this.refreshRoutes();
      if (!this.allRouted()) problem = `missing topics: ${this.eventTopics.filter((t) => !this.routes.has(t)).join(', ')}`;
    } catch (error) {
      problem = errorMessage(error);
    }
    if (problem === null) {
      if (!first) this.log('info', 'Kafka topic metadata loaded', {});
      return;
    }
    if (first) this.log('error', 'could not load Kafka topic metadata; retrying in the background', { error: problem });
    if (this.state !== 'running' || this.routeRetryTimer !== null) return;
    this.routeRetryTimer = setTimeout(() => {
      this.routeRetryTimer = null;
      if (this.state === 'running' && !this.allRouted()) void this.loadRoutes(Math.min(delayMs * 2, this.reconnectBackoffMs.max), false);
    }, delayMs);
  }

  /** Loads partition counts of the event topics (one shared request at a time). */
  private refreshRoutes(): Promise<void> {
    if (this.routeRefresh === null) {
      this.routeRefresh = this.partitionCounts(this.eventTopics)
        .then((counts) => {
          for (const [topic, partitionCount] of counts) {
            const known = this.routes.get(topic);
            if (known !== undefined) {
              if (known.partitionCount !== partitionCount) {
                // Re-keying would break per-key order; keep routing with the counts we started with.
                this.log('error', 'Kafka topic partition count changed; keeping the original routing', {
                  topic,
                  was: known.partitionCount,
                  now: partitionCount,
                });
              }
              continue;
            }
            const salt = topicSalt(topic);
            const shardOf = Array.from({ length: partitionCount }, (_, p) => this.shards[(salt + p) % this.shards.length]);
            this.routes.set(topic, { partitionCount, shardOf });
          }
        })
        .finally(() => {
          this.routeRefresh = null;
        });
    }
    return this.routeRefresh;
  }

  private refuse(reason: string, cause?: unknown): Promise<never> {
    const kind: AppendFailureKind = this.state === 'running' ? 'unavailable' : 'stopped';
    this.counters.appendsFailed[kind]++;
    return Promise.reject(
      new KafkaUnavailableError(reason.startsWith('Kafka') ? reason : `Kafka unavailable: ${reason}`, {
        retryAfterSeconds: this.retryAfterSeconds,
        outcome: 'not-sent',
        cause,
      }),
    );
  }
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
