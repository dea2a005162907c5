import { physicalTopic } from '@app/events';
import { ConfigResourceTypes } from 'kafkajs';
import { deleteTopics, ensureTopics, fetchHighWatermarks } from '../src/topic-admin';
import { randomPrefix, testKafka } from './kafka-test-env';

describe('topic admin against the real broker', () => {
  const prefix = randomPrefix('admin');
  const kafka = testKafka('admin-it');

  afterAll(async () => {
    await deleteTopics(kafka, prefix);
  });

  it('creates the event topics and the dead-letter topic with unlimited retention, once', async () => {
    const first = await ensureTopics(kafka, prefix);
    const names = ['consultations', 'participants', 'proposals', 'votes', 'dead-letters'].map((n) => `${prefix}${n}`);
    expect([...first.created].sort()).toEqual([...names].sort());

    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: names });
      const partitions = Object.fromEntries(metadata.topics.map((t) => [t.name.slice(prefix.length), t.partitions.length]));
      expect(partitions).toEqual({ consultations: 1, participants: 6, proposals: 6, votes: 12, 'dead-letters': 3 });
      expect(metadata.topics.every((t) => t.partitions.every((p) => p.leader >= 0))).toBe(true);

      const configs = await admin.describeConfigs({
        resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms', 'retention.bytes'] })),
        includeSynonyms: false,
      });
      for (const resource of configs.resources) {
        const values = Object.fromEntries(resource.configEntries.map((e) => [e.configName, e.configValue]));
        expect(values).toEqual({ 'retention.ms': '-1', 'retention.bytes': '-1' });
      }
    } finally {
      await admin.disconnect();
    }

    const second = await ensureTopics(kafka, prefix);
    expect(second.created).toEqual([]);
    expect(second.existing).toHaveLength(5);
  });

  it('refuses an existing topic with another partition count', async () => {
    await expect(ensureTopics(kafka, prefix, [{ name: 'votes', partitions: 24 }])).rejects.toThrow(/has 12 partitions, expected 24/);
  });

  it('reads high watermarks per partition', async () => {
    const topic = physicalTopic(prefix, 'participants');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: () => ({ message }) => message.partition ?? 0 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [0, 0, 0, 4].map((partition) => ({ partition, value: 'x' })) });
    await producer.disconnect();
    const watermarks = await fetchHighWatermarks(kafka, topic);
    expect(watermarks.size).toBe(6);
    expect(watermarks.get(0)).toBe(3n);
    expect(watermarks.get(4)).toBe(1n);
    expect(watermarks.get(1)).toBe(0n);
  });

  it('deletes only the topics of its prefix and refuses an empty prefix', async () => {
    await expect(deleteTopics(kafka, '')).rejects.toThrow(/non-empty/);
    const other = randomPrefix('admin-other');
    try {
      await ensureTopics(kafka, other, [{ name: 'votes', partitions: 1 }]);
      const deleted = await deleteTopics(kafka, other);
      expect(deleted).toEqual([`${other}votes`]);
      const admin = kafka.admin();
      await admin.connect();
      const remaining = await admin.listTopics();
      await admin.disconnect();
      expect(remaining).not.toContain(`${other}votes`);
      expect(remaining).toContain(`${prefix}votes`);
    } finally {
      await deleteTopics(kafka, other);
    }
  });
});
