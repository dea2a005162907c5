import { DEAD_LETTER_TOPIC, physicalTopic, TOPIC_SPECS, TopicName } from '@app/events';
import { Admin, Kafka } from 'kafkajs';

export interface EnsureTopicSpec {
  readonly name: TopicName | typeof DEAD_LETTER_TOPIC;
  readonly partitions: number;
}

/** The event topics plus the dead-letter topic (3 partitions). */
export const DEFAULT_TOPIC_SPECS: readonly EnsureTopicSpec[] = [...TOPIC_SPECS, { name: DEAD_LETTER_TOPIC, partitions: 3 }];

export interface EnsureTopicsOptions {
  /** Default 1 (single broker); production: 3, which also sets min.insync.replicas=2. */
  readonly replicationFactor?: number;
  /** Bound on creation and on waiting for partition leaders. Default 30 s. */
  readonly timeoutMs?: number;
}

export interface EnsureTopicsResult {
  readonly created: readonly string[];
  readonly existing: readonly string[];
}

/** The event topics are the system of record: nothing is ever deleted by retention. */
export const topicConfig = (replicationFactor: number): { name: string; value: string }[] => [
  { name: 'retention.ms', value: '-1' },
  { name: 'retention.bytes', value: '-1' },
  { name: 'min.insync.replicas', value: replicationFactor >= 3 ? '2' : '1' },
];

const withAdmin = async <T>(kafka: Kafka, use: (admin: Admin) => Promise<T>): Promise<T> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Broker answers that only mean "metadata not propagated yet" (just after creation, a leader move). */
const TRANSIENT_TYPES = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'REQUEST_TIMED_OUT',
  'NOT_CONTROLLER',
]);

export const isTransientKafkaError = (error: unknown): boolean => {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const { type, cause } = e as { type?: unknown; cause?: unknown };
    if (typeof type === 'string' && TRANSIENT_TYPES.has(type)) return true;
    e = cause;
  }
  return false;
};

/** Runs `fn`, retrying transient broker answers every 100 ms for at most `timeoutMs`. */
export const retryTransient = async <T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransientKafkaError(error) || Date.now() > until) throw error;
      await sleep(100);
    }
  }
};

/**
 * Creates the missing topics `${prefix}${name}` (unlimited retention) and waits until every
 * partition of every topic has a leader. An existing topic with another partition count is an
 * error: the key → partition mapping (hence per-key order) depends on it.
 */
export const ensureTopics = async (
  kafka: Kafka,
  prefix: string,
  specs: readonly EnsureTopicSpec[] = DEFAULT_TOPIC_SPECS,
  options: EnsureTopicsOptions = {},
): Promise<EnsureTopicsResult> => {
  const replicationFactor = options.replicationFactor ?? 1;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const wanted = specs.map((spec) => ({ topic: physicalTopic(prefix, spec.name), partitions: spec.partitions }));
  return withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter(({ topic }) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map(({ topic, partitions }) => ({
          topic,
          numPartitions: partitions,
          replicationFactor,
          configEntries: topicConfig(replicationFactor),
        })),
        waitForLeaders: true,
        timeout: timeoutMs,
      });
    }
    const topics = wanted.map(({ topic }) => topic);
    const until = Date.now() + timeoutMs;
    for (;;) {
      const metadata = await retryTransient(() => admin.fetchTopicMetadata({ topics }), Math.max(0, until - Date.now()));
      const byName = new Map(metadata.topics.map((t) => [t.name, t.partitions]));
      for (const { topic, partitions } of wanted) {
        const found = byName.get(topic)?.length ?? 0;
        if (found !== partitions) {
          throw new Error(`Kafka topic ${topic} has ${found} partitions, expected ${partitions}`);
        }
      }
      const leaderless = metadata.topics.some((t) => t.partitions.some((p) => p.leader < 0));
      if (!leaderless) break;
      if (Date.now() > until) throw new Error(`Kafka topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`);
      await sleep(100);
    }
    // The leaders answer (ListOffsets goes to each partition leader): the topics are usable.
    for (const topic of topics) await retryTransient(() => admin.fetchTopicOffsets(topic), Math.max(0, until - Date.now()));
    return {
      created: missing.map(({ topic }) => topic),
      existing: wanted.filter(({ topic }) => existing.has(topic)).map(({ topic }) => topic),
    };
  });
};

/** Deletes every topic whose name starts with `prefix` (tests). Refuses an empty prefix. */
export const deleteTopics = async (kafka: Kafka, prefix: string, timeoutMs = 30_000): Promise<string[]> => {
  if (prefix.length === 0) throw new Error('deleteTopics needs a non-empty prefix');
  return withAdmin(kafka, async (admin) => {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await retryTransient(() => admin.deleteTopics({ topics, timeout: timeoutMs }), timeoutMs);
    return topics;
  });
};

export interface PartitionOffsets {
  readonly partition: number;
  readonly low: bigint;
  /** Next offset to be written. */
  readonly high: bigint;
}

/** Low and high watermarks of each partition (transient "not leader yet" answers retried ≤ timeoutMs). */
export const partitionOffsetsWith = async (admin: Admin, topic: string, timeoutMs = 5000): Promise<PartitionOffsets[]> => {
  const offsets = await retryTransient(() => admin.fetchTopicOffsets(topic), timeoutMs);
  return offsets.map(({ partition, low, high }) => ({ partition, low: BigInt(low), high: BigInt(high) }));
};

/** High watermark (next offset to be written) of each partition of `topic`. */
export const fetchHighWatermarks = (kafka: Kafka, topic: string, timeoutMs = 5000): Promise<Map<number, bigint>> =>
  withAdmin(kafka, async (admin) => new Map((await partitionOffsetsWith(admin, topic, timeoutMs)).map(({ partition, high }) => [partition, high])));
