import { DecodeResult, physicalTopic } from '@app/events';
import { createIdempotentProducer, EventAppender } from '../src/event-appender';
import { LogRecord, readLog } from '../src/log-reader';
import { deleteTopics, ensureTopics } from '../src/topic-admin';
import { proposalAccepted, voteCast } from './fixtures';
import { randomPrefix, testKafka } from './kafka-test-env';

const quiet = (): void => undefined;

describe('readLog against the real broker', () => {
  const prefix = randomPrefix('reader');
  const kafka = testKafka('reader-it');
  const votes = physicalTopic(prefix, 'votes');
  const proposals = physicalTopic(prefix, 'proposals');
  const consultations = physicalTopic(prefix, 'consultations');
  let appender: EventAppender;

  beforeAll(async () => {
    await ensureTopics(kafka, prefix);
    appender = new EventAppender({ kafka, topicPrefix: prefix, log: quiet });
    await appender.start();
  });

  afterAll(async () => {
    await appender.stop();
    await deleteTopics(kafka, prefix);
  });

  it('reads every record up to the watermarks taken at start, passes undecodable ones as errors, commits nothing', async () => {
    const events = Array.from({ length: 3000 }, (_, i) => (i % 5 === 0 ? proposalAccepted(i) : voteCast(i)));
    const positions = await Promise.all(events.map((e) => appender.append(e)));
    const raw = createIdempotentProducer(kafka);
    await raw.connect();
    await raw.send({ topic: votes, acks: -1, messages: [{ key: 'junk', value: '{not json', partition: 3 }] });
    await raw.disconnect();

    const seen: { decoded: DecodeResult; record: LogRecord }[] = [];
    const reader = readLog(kafka, [votes, proposals, consultations], (decoded, record) => {
      seen.push({ decoded, record });
    }, { log: quiet, groupIdPrefix: `${prefix}reader-` });
    await reader.caughtUp;
    await reader.done;

    expect(seen).toHaveLength(3001);
    const failures = seen.filter((s) => !s.decoded.ok);
    expect(failures).toHaveLength(1);
    expect(failures[0].record).toMatchObject({ topic: votes, partition: 3 });
    expect(failures[0].decoded).toMatchObject({ ok: false, reason: expect.stringMatching(/not JSON/) });

    const byPosition = new Map(seen.map((s) => [`${s.record.topic}/${s.record.partition}@${s.record.offset}`, s.decoded]));
    const wrong = events.filter((e, i) => {
      const d = byPosition.get(`${positions[i].topic}/${positions[i].partition}@${positions[i].offset}`);
      return !(d?.ok && d.event.eventId === e.eventId);
    });
    expect(wrong).toEqual([]);
    // offsets strictly increase within each partition
    const last = new Map<string, bigint>();
    for (const { record } of seen) {
      const key = `${record.topic}/${record.partition}`;
      const offset = BigInt(record.offset);
      expect(offset).toBeGreaterThan(last.get(key) ?? -1n);
      last.set(key, offset);
    }
    expect(reader.startWatermarks.get(votes)?.get(3)).toBe(last.get(`${votes}/3`)! + 1n);

    const admin = kafka.admin();
    await admin.connect();
    const groups = (await admin.listGroups()).groups.filter((g) => g.groupId.startsWith(`${prefix}reader-`));
    await admin.disconnect();
    expect(groups).toEqual([]);
  });

  it('is caught up at once on empty topics', async () => {
    const empty = randomPrefix('reader-empty');
    await ensureTopics(kafka, empty, [{ name: 'votes', partitions: 2 }]);
    try {
      const reader = readLog(kafka, [physicalTopic(empty, 'votes')], () => undefined, { log: quiet });
      await reader.caughtUp;
      await reader.done;
    } finally {
      await deleteTopics(kafka, empty);
    }
  });

  it('in follow mode, keeps delivering records appended after the catch-up until stopped', async () => {
    const seen: string[] = [];
    const reader = readLog(kafka, [proposals], (decoded) => {
      if (decoded.ok) seen.push(decoded.event.eventId);
    }, { follow: true, log: quiet });
    await reader.caughtUp;
    const before = seen.length;
    const fresh = Array.from({ length: 10 }, (_, i) => proposalAccepted(900_000 + i));
    await Promise.all(fresh.map((e) => appender.append(e)));
    const until = Date.now() + 15_000;
    while (seen.length < before + 10 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(seen.slice(before).sort()).toEqual(fresh.map((e) => e.eventId).sort());
    await reader.stop();
    await reader.done;
  });

  it('a throwing handler stops the reader and rejects caughtUp and done', async () => {
    const reader = readLog(kafka, [votes], () => {
      throw new Error('projection bug');
    }, { log: quiet });
    await expect(reader.caughtUp).rejects.toThrow('projection bug');
    await expect(reader.done).rejects.toThrow('projection bug');
  });

  it('fails clearly when Kafka cannot be reached', async () => {
    const reader = readLog(testKafka('reader-unreachable', { brokers: ['127.0.0.1:1'] }), [votes], () => undefined, { log: quiet });
    await expect(reader.caughtUp).rejects.toThrow();
    await expect(reader.done).rejects.toThrow();
  });
});
