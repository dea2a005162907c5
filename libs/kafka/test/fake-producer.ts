import { ProducerBatch, RecordMetadata } from 'kafkajs';
import { BatchProducer } from '../src/producer-shard';

export interface SentRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly eventId: string;
}

type Mode = 'ack' | 'hold' | 'fail';

/**
 * An in-memory stand-in for a kafkajs idempotent producer: `log` is the broker's log of every
 * topic-partition; `mode` decides whether sendBatch acknowledges, hangs or fails.
 */
export class FakeBroker {
  readonly log = new Map<string, SentRecord[]>();
  readonly producers: FakeProducer[] = [];
  mode: Mode = 'ack';
  connectFails = false;
  ackDelayMs = 0;

  factory = (): BatchProducer => {
    const producer = new FakeProducer(this, this.producers.length);
    this.producers.push(producer);
    return producer;
  };

  partition(topic: string, partition: number): SentRecord[] {
    return this.log.get(`${topic}/${partition}`) ?? [];
  }

  get sendCalls(): number {
    return this.producers.reduce((n, p) => n + p.batches.length, 0);
  }

  write(batch: ProducerBatch): RecordMetadata[] {
    const result: RecordMetadata[] = [];
    for (const { topic, messages } of batch.topicMessages ?? []) {
      const byPartition = new Map<number, SentRecord[]>();
      for (const message of messages) {
        const partition = message.partition ?? -1;
        const headers = message.headers ?? {};
        const list = byPartition.get(partition) ?? [];
        list.push({ topic, partition, key: String(message.key), eventId: String(headers['event-id']) });
        byPartition.set(partition, list);
      }
      for (const [partition, records] of byPartition) {
        const log = this.log.get(`${topic}/${partition}`) ?? [];
        result.push({ topicName: topic, partition, errorCode: 0, baseOffset: String(log.length) });
        log.push(...records);
        this.log.set(`${topic}/${partition}`, log);
      }
    }
    return result;
  }
}

export class FakeProducer implements BatchProducer {
  readonly batches: ProducerBatch[] = [];
  connected = false;
  disconnected = false;
  /** Pending sends in 'hold' mode: call to settle. */
  readonly held: { ack: () => void; fail: (error: Error) => void }[] = [];

  constructor(
    private readonly broker: FakeBroker,
    readonly id: number,
  ) {}

  async connect(): Promise<void> {
    if (this.broker.connectFails) throw new Error('connect ECONNREFUSED');
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.disconnected = true;
    this.connected = false;
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (!this.connected) return Promise.reject(new Error('The producer is disconnected'));
    this.batches.push(batch);
    const mode = this.broker.mode;
    if (mode === 'fail') return Promise.reject(new Error('KafkaJSNumberOfRetriesExceeded'));
    if (mode === 'hold') {
      return new Promise((resolve, reject) => {
        this.held.push({ ack: () => resolve(this.broker.write(batch)), fail: reject });
      });
    }
    return new Promise((resolve) => setTimeout(() => resolve(this.broker.write(batch)), this.broker.ackDelayMs));
  }
}
