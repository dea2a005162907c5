/**
 * The raw Kafka limit of this machine for votes, in its own process (forked by bench/main.ts,
 * which measures its CPU): one bare kafkajs idempotent producer with the EventAppender's
 * settings (createIdempotentProducer: idempotent, one request in flight, acks=-1, no
 * compression, the same request timeout), writing VoteCast records of the same size, key,
 * partition and headers as the ingest's.
 *
 * - capacity: sequential sendBatch calls of `batch` records (the appender's mean batch at the
 *   measured rate): the most votes/s this producer can have acknowledged.
 * - open: records arrive at `rate`/s on a fixed schedule and every sendBatch takes whatever
 *   arrived while the previous one was in flight (group commit without HTTP), latency from the
 *   scheduled arrival to the acknowledgement: the floor of the system's latency at that rate.
 */
import { randomUUID } from 'node:crypto';
import { makeEvent } from '@app/events';
import { createIdempotentProducer, createKafka, parseBrokers } from '@app/kafka';
import { Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { Histogram, HistogramSummary } from '../load-tests/runner/histogram';
import { CONSULTATION, proposalId } from './lib/events';
import { Record_, recordOf } from './lib/produce';
import { participantId, tierOf, voteBody } from './loadgen';

export type BareProducerTask =
  | { readonly mode: 'capacity'; readonly prefix: string; readonly messages: number; readonly batch: number }
  | { readonly mode: 'open'; readonly prefix: string; readonly rate: number; readonly durationS: number; readonly maxBatch: number };

export interface BareProducerResult {
  readonly mode: 'capacity' | 'open';
  readonly messages: number;
  readonly perSecond: number;
  readonly batches: number;
  readonly meanBatch: number;
  readonly meanValueBytes: number;
  readonly batchMs: HistogramSummary;
  /** open mode: scheduled arrival → acknowledgement. */
  readonly latencyMs?: HistogramSummary;
}

const ACK_TIMEOUT_MS = 4000;

const voteRecord = (prefix: string): Record_ => {
  const voter = (Math.random() * 100_000) | 0;
  const body = voteBody(Math.random);
  return recordOf(
    prefix,
    makeEvent(
      'VoteCast',
      {
        proposalId: proposalId((Math.random() * 1000) | 0),
        consultation: CONSULTATION,
        participantId: participantId(voter),
        voterTier: tierOf(voter),
        value: body.value,
        qualifications: [...body.qualifications].sort() as never[],
      },
      { eventId: randomUUID(), occurredAt: new Date(), correlationId: randomUUID() },
    ),
  );
};

const send = (producer: Producer, records: readonly Record_[]): Promise<unknown> =>
  producer.sendBatch({
    acks: -1,
    timeout: ACK_TIMEOUT_MS,
    compression: CompressionTypes.None,
    topicMessages: [{ topic: records[0].topic, messages: records.map((r) => r.message) }],
  });

const capacity = async (producer: Producer, prefix: string, messages: number, batch: number): Promise<BareProducerResult> => {
  const records = Array.from({ length: messages }, () => voteRecord(prefix));
  const batchMs = new Histogram();
  const started = performance.now();
  for (let i = 0; i < messages; i += batch) {
    const t = performance.now();
    await send(producer, records.slice(i, i + batch));
    batchMs.record(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    mode: 'capacity',
    messages,
    perSecond: messages / seconds,
    batches: batchMs.count,
    meanBatch: messages / batchMs.count,
    meanValueBytes: records.reduce((n, r) => n + (r.message.value as Buffer).length, 0) / messages,
    batchMs: batchMs.summary(),
  };
};

const openModel = async (producer: Producer, prefix: string, rate: number, durationS: number, maxBatch: number): Promise<BareProducerResult> => {
  const total = Math.round(rate * durationS);
  const queue: { record: Record_; scheduledAt: number }[] = [];
  const latency = new Histogram();
  const batchMs = new Histogram();
  let acked = 0;
  let bytes = 0;
  let sending = false;
  let arrived = 0;
  const t0 = performance.now() + 5;
  const interval = 1000 / rate;
  const flush = (): void => {
    if (sending || queue.length === 0) return;
    sending = true;
    const items = queue.splice(0, maxBatch);
    const t = performance.now();
    send(
      producer,
      items.map((i) => i.record),
    ).then(
      () => {
        const now = performance.now();
        batchMs.record(now - t);
        for (const item of items) latency.record(now - item.scheduledAt);
        acked += items.length;
        sending = false;
        flush();
      },
      (error: unknown) => {
        throw error;
      },
    );
  };
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (arrived < total && t0 + arrived * interval <= now) {
        const record = voteRecord(prefix);
        bytes += (record.message.value as Buffer).length;
        queue.push({ record, scheduledAt: t0 + arrived * interval });
        arrived++;
      }
      flush();
      if (arrived < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 5);
  });
  while (acked < total) await new Promise((resolve) => setTimeout(resolve, 2));
  const seconds = (performance.now() - t0) / 1000;
  return {
    mode: 'open',
    messages: total,
    perSecond: total / seconds,
    batches: batchMs.count,
    meanBatch: total / Math.max(1, batchMs.count),
    meanValueBytes: bytes / total,
    batchMs: batchMs.summary(),
    latencyMs: latency.summary(),
  };
};

if (require.main === module && process.send) {
  const kafka = createKafka({ brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), clientId: 'bench-bare-producer' });
  const producer = createIdempotentProducer(kafka);
  process.on('message', (message: { type: string; task?: BareProducerTask }) => {
    if (message.type === 'exit') {
      void producer.disconnect().finally(() => process.exit(0));
      return;
    }
    const task = message.task as BareProducerTask;
    const run = task.mode === 'capacity' ? capacity(producer, task.prefix, task.messages, task.batch) : openModel(producer, task.prefix, task.rate, task.durationS, task.maxBatch);
    run.then(
      (result) => process.send?.({ type: 'result', result }),
      (error: unknown) => process.send?.({ type: 'error', error: error instanceof Error ? error.stack : String(error) }),
    );
  });
  producer.connect().then(
    () => process.send?.({ type: 'ready' }),
    (error: unknown) => process.send?.({ type: 'error', error: String(error) }),
  );
}
