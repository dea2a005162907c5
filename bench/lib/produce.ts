/**
 * Writes events to Kafka the way the EventAppender does (same key, partition, headers and
 * encoding; acks=-1; idempotent producer), without HTTP: the bench's seed data, backlogs and the
 * rebuild log.
 */
import { DomainEvent, TOPIC_SPECS, encodeEvent, keyOf, physicalTopic, topicOf } from '@app/events';
import { createIdempotentProducer, partitionFor } from '@app/kafka';
import { Kafka, Message, Producer } from 'kafkajs';

const PARTITIONS = new Map(TOPIC_SPECS.map((spec) => [spec.name, spec.partitions]));

export interface Record_ {
  readonly topic: string;
  readonly message: Message;
}

export const recordOf = (prefix: string, event: DomainEvent): Record_ => {
  const name = topicOf(event.type);
  const key = Buffer.from(keyOf(event), 'utf8');
  return {
    topic: physicalTopic(prefix, name),
    message: {
      key,
      value: encodeEvent(event),
      partition: partitionFor(key, PARTITIONS.get(name) as number),
      headers: {
        'event-type': event.type,
        'schema-version': String(event.schemaVersion),
        'event-id': event.eventId,
        'correlation-id': event.meta.correlationId,
      },
    },
  };
};

export const sendRecords = async (producer: Producer, records: readonly Record_[]): Promise<void> => {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    const list = byTopic.get(r.topic);
    if (list) list.push(r.message);
    else byTopic.set(r.topic, [r.message]);
  }
  await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
};

/** Writes events in order (one producer, batches of `batch`), e.g. the consultation and its proposals. */
export const writeEvents = async (kafka: Kafka, prefix: string, events: readonly DomainEvent[], batch = 2000): Promise<void> => {
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += batch) await sendRecords(producer, events.slice(i, i + batch).map((e) => recordOf(prefix, e)));
  } finally {
    await producer.disconnect();
  }
};

/**
 * Writes a long log fast: `producers` idempotent producers, each owning the partitions p with
 * p % producers = its index (per-partition order, hence per-key order, is kept), each sending
 * its share of every chunk while the generator prepares the next one.
 */
export const writeLog = async (
  kafka: Kafka,
  prefix: string,
  chunks: Iterable<DomainEvent[]>,
  options: { producers?: number; onProgress?: (written: number) => void } = {},
): Promise<{ events: number; ms: number }> => {
  const n = options.producers ?? 2;
  const producers: Producer[] = [];
  for (let i = 0; i < n; i++) {
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    producers.push(producer);
  }
  const started = performance.now();
  let written = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  try {
    for (const chunk of chunks) {
      const shares: Record_[][] = producers.map(() => []);
      for (const event of chunk) {
        const record = recordOf(prefix, event);
        shares[(record.message.partition as number) % n].push(record);
      }
      await inFlight;
      inFlight = Promise.all(shares.map((share, i) => (share.length > 0 ? sendRecords(producers[i], share) : undefined)));
      written += chunk.length;
      options.onProgress?.(written);
    }
    await inFlight;
  } finally {
    await Promise.allSettled(producers.map((p) => p.disconnect()));
  }
  return { events: written, ms: performance.now() - started };
};
