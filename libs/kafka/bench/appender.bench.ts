/**
 * EventAppender vs the raw limit of the same machine and broker.
 *
 *   node -r @swc-node/register libs/kafka/bench/appender.bench.ts
 *
 * env: KAFKA_BROKERS (127.0.0.1:9092), N (appends per run, 50000), CONCURRENCY (outstanding
 * appends, i.e. HTTP requests in flight; a list, default "200,2000"), ROUNDS (3).
 *
 * - appender (producers=1 and 2): CONCURRENCY workers each awaiting `append` of a VoteCast in a
 *   loop; latency = append call → its promise resolved.
 * - raw: one bare kafkajs idempotent producer (acks=-1), the same records (key, headers, explicit
 *   partition) in sequential sendBatch calls of the appender's mean batch size; latency = the
 *   batch round trip (what a record waits for once its batch is full, so a lower bound).
 * Topics are created under a random prefix and deleted at the end.
 */
import { randomBytes } from 'node:crypto';
import { Message } from 'kafkajs';
import { encodeEvent, keyOf, physicalTopic, VoteCast } from '@app/events';
import { createIdempotentProducer, EventAppender } from '../src/event-appender';
import { createKafka, parseBrokers } from '../src/kafka-options';
import { partitionFor } from '../src/murmur2-partitioner';
import { deleteTopics, ensureTopics } from '../src/topic-admin';

const N = Number(process.env.N ?? 50_000);
const CONCURRENCIES = (process.env.CONCURRENCY ?? '200,2000').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const brokers = parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');

let seq = 0;
const vote = (): VoteCast => {
  const n = seq++;
  return {
    type: 'VoteCast',
    schemaVersion: 1,
    eventId: `00000000-0000-5000-8000-${n.toString(16).padStart(12, '0')}`,
    occurredAt: new Date().toISOString(),
    data: {
      proposalId: `11111111-2222-4333-8444-${(n % 5000).toString(16).padStart(12, '0')}`,
      consultation: 'grande-cause-territoires',
      participantId: `99999999-8888-4777-8666-${(n % 300_000).toString(16).padStart(12, '0')}`,
      voterTier: 'rural',
      value: 'agree',
      qualifications: ['doable', 'likeIt'],
    },
    meta: { correlationId: `req-${randomBytes(6).toString('hex')}` },
  };
};

const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

interface Result {
  readonly label: string;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly meanBatch: number;
}

const runAppender = async (prefix: string, producers: number, concurrency: number): Promise<Result> => {
  const kafka = createKafka({ brokers, clientId: `bench-appender-${producers}` });
  const appender = new EventAppender({ kafka, topicPrefix: prefix, producers, log: () => undefined });
  await appender.start();
  if (!(await appender.whenHealthy(10_000))) throw new Error('appender not healthy');
  const events = Array.from({ length: N }, vote);
  const latencies = new Float64Array(N);
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < N; i = next++) {
      const t = performance.now();
      try {
        await appender.append(events[i]);
      } catch {
        failures++;
      }
      latencies[i] = performance.now() - t;
    }
  };
  const before = appender.stats();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const after = appender.stats();
  await appender.stop();
  if (failures > 0) throw new Error(`${failures} appends failed`);
  latencies.sort();
  return {
    label: `EventAppender producers=${producers}`,
    perSecond: N / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    meanBatch: (after.messagesAppended - before.messagesAppended) / (after.batchesSent - before.batchesSent),
  };
};

const runRaw = async (prefix: string, batchSize: number): Promise<Result> => {
  const kafka = createKafka({ brokers, clientId: 'bench-raw' });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const topic = physicalTopic(prefix, 'votes');
  const messages: Message[] = Array.from({ length: N }, () => {
    const event = vote();
    const key = Buffer.from(keyOf(event));
    return {
      key,
      value: encodeEvent(event),
      partition: partitionFor(key, 12),
      headers: { 'event-type': event.type, 'schema-version': '1', 'event-id': event.eventId, 'correlation-id': event.meta.correlationId },
    };
  });
  const batchLatencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < N; i += batchSize) {
    const t = performance.now();
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: messages.slice(i, i + batchSize) }] });
    batchLatencies.push(performance.now() - t);
  }
  const elapsed = (performance.now() - started) / 1000;
  await producer.disconnect();
  const sorted = Float64Array.from(batchLatencies).sort();
  return { label: `raw kafkajs sendBatch(${batchSize})`, perSecond: N / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99), meanBatch: batchSize };
};

const main = async (): Promise<void> => {
  const prefix = `bench-${randomBytes(4).toString('hex')}-`;
  const admin = createKafka({ brokers, clientId: 'bench-admin' });
  await ensureTopics(admin, prefix);
  const show = (r: Result): string =>
    `${r.label.padEnd(34)} ${r.perSecond.toFixed(0).padStart(7)} /s   p50 ${r.p50.toFixed(1).padStart(7)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms   mean batch ${r.meanBatch.toFixed(0)}`;
  try {
    await runAppender(prefix, 1, 2000); // warm-up: JIT, connections, metadata
    for (const concurrency of CONCURRENCIES) {
      const ratios: [number, number][] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const one = await runAppender(prefix, 1, concurrency);
        const two = await runAppender(prefix, 2, concurrency);
        const raw = await runRaw(prefix, Math.max(1, Math.round(one.meanBatch)));
        ratios.push([one.perSecond / raw.perSecond, two.perSecond / raw.perSecond]);
        console.log(`concurrency ${concurrency}, round ${round + 1} (N=${N})`);
        for (const r of [one, two, raw]) console.log(`  ${show(r)}`);
        console.log(`  ratio to raw: producers=1 ${ratios[round][0].toFixed(2)}, producers=2 ${ratios[round][1].toFixed(2)}`);
      }
      const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
      console.log(
        `concurrency ${concurrency}: median ratio to raw: producers=1 ${median(ratios.map((r) => r[0])).toFixed(2)}, producers=2 ${median(ratios.map((r) => r[1])).toFixed(2)}\n`,
      );
    }
  } finally {
    await deleteTopics(admin, prefix);
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
