import { keyOf } from '@app/events';
import { Kafka } from 'kafkajs';
import { proposalAccepted, voteCast } from '../test/fixtures';
import { FakeBroker } from '../test/fake-producer';
import { KafkaTopicNotFoundError, KafkaUnavailableError } from './errors';
import { AppendResult, EventAppender, EventAppenderOptions } from './event-appender';
import { partitionFor } from './murmur2-partitioner';

const PREFIX = 'unit-';
const VOTES = `${PREFIX}votes`;
const PROPOSALS = `${PREFIX}proposals`;
const COUNTS = new Map([
  [`${PREFIX}consultations`, 1],
  [`${PREFIX}participants`, 6],
  [PROPOSALS, 6],
  [VOTES, 12],
]);

const quiet = (): void => undefined;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const setup = (broker: FakeBroker, options: Partial<EventAppenderOptions> = {}) => {
  const partitionCounts = jest.fn(async (topics: readonly string[]) => new Map(topics.flatMap((t) => (COUNTS.has(t) ? [[t, COUNTS.get(t) ?? 0] as const] : []))));
  const appender = new EventAppender({
    kafka: new Kafka({ brokers: ['127.0.0.1:1'] }),
    topicPrefix: PREFIX,
    producerFactory: broker.factory,
    partitionCounts,
    log: quiet,
    ...options,
  });
  return { appender, partitionCounts };
};

const outcomeOf = async (promise: Promise<AppendResult>): Promise<AppendResult | Error> => promise.catch((error: Error) => error);

describe('EventAppender (fake producer)', () => {
  let appender: EventAppender | undefined;
  afterEach(async () => {
    await appender?.stop(100);
    appender = undefined;
  });

  it('refuses an ackTimeoutMs above 5 s', () => {
    expect(() => setup(new FakeBroker(), { ackTimeoutMs: 5001 })).toThrow(RangeError);
  });

  it('batches 5,000 concurrent appends into few sendBatch calls and answers each with its exact offset', async () => {
    const broker = new FakeBroker();
    broker.ackDelayMs = 2;
    ({ appender } = setup(broker));
    await appender.start();
    const events = Array.from({ length: 5000 }, (_, i) => voteCast(i));
    const results = await Promise.all(events.map((event) => appender!.append(event)));

    expect(broker.sendCalls).toBeLessThanOrEqual(5);
    for (const batch of broker.producers[0].batches) {
      expect(batch.acks).toBe(-1);
      expect(batch.topicMessages?.reduce((n, t) => n + t.messages.length, 0)).toBeLessThanOrEqual(2000);
    }
    const wrong = events.filter((event, i) => {
      const { topic, partition, offset } = results[i];
      return (
        topic !== VOTES ||
        partition !== partitionFor(keyOf(event), 12) ||
        broker.partition(topic, partition)[Number(offset)]?.eventId !== event.eventId
      );
    });
    expect(wrong).toEqual([]);
    // per-key order: within a partition, records are in append order
    const byPartition = new Map<number, string[]>();
    for (const e of events) {
      const p = partitionFor(keyOf(e), 12);
      byPartition.set(p, [...(byPartition.get(p) ?? []), e.eventId]);
    }
    for (let p = 0; p < 12; p++) {
      expect(broker.partition(VOTES, p).map((r) => r.eventId)).toEqual(byPartition.get(p) ?? []);
    }
    const stats = appender.stats();
    expect(stats.messagesAppended).toBe(5000);
    expect(stats.batchesSent).toBe(broker.sendCalls);
    expect(stats.batchSize.count).toBe(broker.sendCalls);
    expect(stats.batchSize.sum).toBe(5000);
  });

  it('sets key, explicit partition and the contract headers on each record', async () => {
    const broker = new FakeBroker();
    ({ appender } = setup(broker));
    await appender.start();
    const event = voteCast(1);
    await appender.append(event);
    const message = broker.producers[0].batches[0].topicMessages?.[0].messages[0];
    expect(String(message?.key)).toBe(event.data.participantId);
    expect(message?.partition).toBe(partitionFor(event.data.participantId, 12));
    expect(message?.headers).toEqual({
      'event-type': 'VoteCast',
      'schema-version': '1',
      'event-id': event.eventId,
      'correlation-id': event.meta.correlationId,
    });
    expect(JSON.parse(String(message?.value))).toEqual(event);
  });

  it('group commit: while a batch is in flight, new appends wait and all go in the next sendBatch', async () => {
    const broker = new FakeBroker();
    broker.mode = 'hold';
    ({ appender } = setup(broker));
    await appender.start();
    const first = appender.append(voteCast(0));
    await sleep(5);
    const rest = Array.from({ length: 300 }, (_, i) => appender!.append(voteCast(i + 1)));
    await sleep(5);
    const producer = broker.producers[0];
    expect(producer.batches).toHaveLength(1);
    producer.held[0].ack();
    await first;
    await sleep(5);
    expect(producer.batches).toHaveLength(2);
    expect(producer.batches[1].topicMessages?.[0].messages).toHaveLength(300);
    producer.held[1].ack();
    await Promise.all(rest);
  });

  it('respects maxBatchBytes and maxBatchMessages', async () => {
    const broker = new FakeBroker();
    ({ appender } = setup(broker, { maxBatchMessages: 50, maxBatchBytes: 20_000 }));
    await appender.start();
    await Promise.all(Array.from({ length: 400 }, (_, i) => appender!.append(voteCast(i))));
    for (const batch of broker.producers[0].batches) {
      const messages = batch.topicMessages?.flatMap((t) => t.messages) ?? [];
      expect(messages.length).toBeLessThanOrEqual(50);
      expect(messages.reduce((n, m) => n + (m.value?.length ?? 0), 0)).toBeLessThan(20_000);
    }
    expect(broker.sendCalls).toBeGreaterThanOrEqual(8);
  });

  it('lingerMs gathers appends spread over time into one batch', async () => {
    const broker = new FakeBroker();
    ({ appender } = setup(broker, { lingerMs: 40 }));
    await appender.start();
    const pending = [appender.append(voteCast(0))];
    for (let i = 1; i < 5; i++) {
      await sleep(3);
      pending.push(appender.append(voteCast(i)));
    }
    await Promise.all(pending);
    expect(broker.sendCalls).toBe(1);
  });

  it('rejects at the deadline when the broker does not answer, then replaces the producer', async () => {
    const broker = new FakeBroker();
    broker.mode = 'hold';
    ({ appender } = setup(broker, { ackTimeoutMs: 200, abandonedSendWaitMs: 50, reconnectBackoffMs: { initial: 10, max: 50 } }));
    await appender.start();
    const started = performance.now();
    const inFlight = outcomeOf(appender.append(voteCast(0)));
    await sleep(20);
    const queued = outcomeOf(appender.append(voteCast(1)));
    const [a, b] = await Promise.all([inFlight, queued]);
    const elapsed = performance.now() - started;
    expect(a).toBeInstanceOf(KafkaUnavailableError);
    expect(b).toBeInstanceOf(KafkaUnavailableError);
    expect((a as KafkaUnavailableError).outcome).toBe('unknown');
    expect((a as KafkaUnavailableError).retryAfterSeconds).toBe(2);
    expect((b as KafkaUnavailableError).outcome).toBe('not-sent');
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(400);
    expect(appender.isHealthy()).toBe(false);

    // while reconnecting: refused at once
    const t0 = performance.now();
    await expect(appender.append(voteCast(2))).rejects.toBeInstanceOf(KafkaUnavailableError);
    expect(performance.now() - t0).toBeLessThan(20);

    broker.mode = 'ack';
    expect(await appender.whenHealthy(2000)).toBe(true);
    expect(broker.producers).toHaveLength(2);
    expect(broker.producers[0].disconnected).toBe(true);
    const result = await appender.append(voteCast(3));
    expect(result.topic).toBe(VOTES);
    // the abandoned send lands late: its append was already answered, nothing resolves twice
    broker.producers[0].held[0].ack();
    expect(appender.stats().appendsFailed.timeout).toBe(1);
  });

  it('a failed send rejects its appends and the queued ones, is never re-sent, and the producer is recreated', async () => {
    const broker = new FakeBroker();
    broker.mode = 'hold';
    ({ appender } = setup(broker, { reconnectBackoffMs: { initial: 10, max: 50 } }));
    await appender.start();
    const first = outcomeOf(appender.append(voteCast(0, 'same')));
    await sleep(5);
    const second = outcomeOf(appender.append(voteCast(1, 'same')));
    await sleep(5);
    broker.producers[0].held[0].fail(new Error('NOT_ENOUGH_REPLICAS'));
    const [a, b] = await Promise.all([first, second]);
    expect((a as KafkaUnavailableError).outcome).toBe('unknown');
    expect((b as KafkaUnavailableError).outcome).toBe('not-sent');
    broker.mode = 'ack';
    expect(await appender.whenHealthy(2000)).toBe(true);
    await appender.append(voteCast(2, 'same'));
    const ids = broker.producers.flatMap((p) => p.batches.flatMap((batch) => batch.topicMessages?.flatMap((t) => t.messages) ?? []));
    expect(ids.map((m) => String(m.headers?.['event-id']))).toEqual([voteCast(0).eventId, voteCast(2).eventId]);
    expect(appender.stats().producerRecreations).toBe(1);
    expect(appender.stats().batchesFailed).toBe(1);
  });

  it('starts even when Kafka is down, refuses appends at once, and recovers in the background', async () => {
    const broker = new FakeBroker();
    broker.connectFails = true;
    ({ appender } = setup(broker, { reconnectBackoffMs: { initial: 10, max: 20 } }));
    await appender.start();
    expect(appender.isHealthy()).toBe(false);
    await expect(appender.append(voteCast(0))).rejects.toBeInstanceOf(KafkaUnavailableError);
    broker.connectFails = false;
    expect(await appender.whenHealthy(2000)).toBe(true);
    await expect(appender.append(voteCast(1))).resolves.toMatchObject({ topic: VOTES, offset: '0' });
  });

  it('an unknown topic triggers one metadata refresh, then a clear error', async () => {
    const broker = new FakeBroker();
    const setupResult = setup(broker, { topicPrefix: 'other-', reconnectBackoffMs: { initial: 10_000, max: 10_000 } });
    appender = setupResult.appender;
    await appender.start();
    const callsAfterStart = setupResult.partitionCounts.mock.calls.length;
    await expect(appender.append(voteCast(0))).rejects.toBeInstanceOf(KafkaTopicNotFoundError);
    expect(setupResult.partitionCounts.mock.calls.length).toBe(callsAfterStart + 1);
  });

  it('loads topic metadata in the background when it was unavailable at start, with no append needed', async () => {
    const broker = new FakeBroker();
    let calls = 0;
    ({ appender } = setup(broker, {
      reconnectBackoffMs: { initial: 10, max: 20 },
      partitionCounts: async (topics) => {
        if (++calls <= 2) throw new Error('metadata ECONNREFUSED');
        return new Map(topics.map((t) => [t, COUNTS.get(t) ?? 1]));
      },
    }));
    await appender.start();
    expect(appender.isHealthy()).toBe(false);
    await sleep(200);
    expect(appender.isHealthy()).toBe(true);
    expect(calls).toBe(3);
  });

  it('with 2 producers, each partition always goes through the same one and both are used', async () => {
    const broker = new FakeBroker();
    ({ appender } = setup(broker, { producers: 2 }));
    await appender.start();
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 500 }, (_, i) => appender!.append(i % 3 === 0 ? proposalAccepted(i) : voteCast(i))));
    }
    const owner = new Map<string, number>();
    for (const producer of broker.producers) {
      expect(producer.batches.length).toBeGreaterThan(0);
      for (const batch of producer.batches) {
        for (const { topic, messages } of batch.topicMessages ?? []) {
          for (const m of messages) {
            const key = `${topic}/${m.partition}`;
            expect(owner.get(key) ?? producer.id).toBe(producer.id);
            owner.set(key, producer.id);
          }
        }
      }
    }
  });

  it('stop() answers queued appends before disconnecting, then refuses new ones', async () => {
    const broker = new FakeBroker();
    broker.ackDelayMs = 20;
    ({ appender } = setup(broker));
    await appender.start();
    const pending = Array.from({ length: 100 }, (_, i) => appender!.append(voteCast(i)));
    await appender.stop();
    await expect(Promise.all(pending)).resolves.toHaveLength(100);
    expect(broker.producers[0].disconnected).toBe(true);
    await expect(appender.append(voteCast(1000))).rejects.toBeInstanceOf(KafkaUnavailableError);
  });

  it('appends queued behind a stalled batch time out individually and are never sent', async () => {
    const broker = new FakeBroker();
    broker.mode = 'hold';
    ({ appender } = setup(broker, { ackTimeoutMs: 150, abandonedSendWaitMs: 1000 }));
    await appender.start();
    const results = [];
    for (let i = 0; i < 5; i++) {
      results.push(outcomeOf(appender.append(voteCast(i))));
      await sleep(20);
    }
    const outcomes = await Promise.all(results);
    expect(outcomes.every((o) => o instanceof KafkaUnavailableError)).toBe(true);
    expect(broker.producers[0].batches).toHaveLength(1);
  });
});
