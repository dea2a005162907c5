import { Kafka } from 'kafkajs';

/** Partition counts of the topics that exist (absent = no such topic). */
export type PartitionCountSource = (topics: readonly string[]) => Promise<ReadonlyMap<string, number>>;

/** Reads partition counts with a short-lived admin client (rare: at start and on a cache miss). */
export const adminPartitionCounts =
  (kafka: Kafka): PartitionCountSource =>
  async (topics) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      // No topic list: the metadata of every topic, so a missing one is just absent (no error).
      const metadata = await admin.fetchTopicMetadata();
      const wanted = new Set(topics);
      const counts = new Map<string, number>();
      for (const topic of metadata.topics) {
        if (wanted.has(topic.name) && topic.partitions.length > 0) counts.set(topic.name, topic.partitions.length);
      }
      return counts;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

/** Stable small hash of a topic name, to spread topics' partitions over producer shards. */
export const topicSalt = (topic: string): number => {
  let h = 0;
  for (let i = 0; i < topic.length; i++) h = (Math.imul(h, 31) + topic.charCodeAt(i)) | 0;
  return h & 0x7fffffff;
};
