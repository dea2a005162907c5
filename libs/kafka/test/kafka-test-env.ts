import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { createKafka, CreateKafkaOptions, LogSink, parseBrokers } from '../src/kafka-options';

/** Integration tests use KAFKA_BROKERS (default the shared local broker). */
export const testBrokers = (): string[] => parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');

/** A topic prefix of its own for each test file: the broker may be shared. */
export const randomPrefix = (name: string): string => `it-${name}-${randomBytes(4).toString('hex')}-`;

/** Kafka logs collected in memory (printed only if a test wants them). */
export const memoryLog = (): { sink: LogSink; lines: string[] } => {
  const lines: string[] = [];
  return { lines, sink: (level, message, extra) => lines.push(`${level} ${message} ${JSON.stringify(extra)}`) };
};

export const testKafka = (clientId: string, options: Partial<CreateKafkaOptions> = {}): Kafka =>
  createKafka({ brokers: testBrokers(), clientId, logLevel: 'nothing', ...options });
