import { logLevel } from 'kafkajs';
import { createKafka, kafkaLogCreator, LogLevelName, parseBrokers } from './kafka-options';
import { FifoQueue } from './fifo-queue';

describe('kafka options', () => {
  const capture = () => {
    const lines: [LogLevelName, string, Readonly<Record<string, unknown>>][] = [];
    return { lines, sink: (level: LogLevelName, message: string, extra: Readonly<Record<string, unknown>>) => lines.push([level, message, extra]) };
  };

  it('routes kafkajs log entries to the sink with mapped levels and their extra fields', () => {
    const { lines, sink } = capture();
    const log = kafkaLogCreator(sink)(logLevel.INFO);
    const entry = (level: logLevel, message: string) => ({
      namespace: 'Connection',
      level,
      label: 'X',
      log: { timestamp: '2021-01-01T00:00:00.000Z', logger: 'kafkajs', message, broker: '127.0.0.1:9092' },
    });
    log(entry(logLevel.ERROR, 'boom'));
    log(entry(logLevel.WARN, 'careful'));
    log(entry(logLevel.INFO, 'hello'));
    log(entry(logLevel.DEBUG, 'details'));
    log(entry(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'));
    expect(lines).toEqual([
      ['error', 'boom', { namespace: 'Connection', broker: '127.0.0.1:9092' }],
      ['warn', 'careful', { namespace: 'Connection', broker: '127.0.0.1:9092' }],
      ['info', 'hello', { namespace: 'Connection', broker: '127.0.0.1:9092' }],
      ['debug', 'details', { namespace: 'Connection', broker: '127.0.0.1:9092' }],
    ]);
  });

  it('creates a client logging through the given sink', () => {
    const { lines, sink } = capture();
    const kafka = createKafka({ brokers: ['127.0.0.1:9092'], clientId: 'unit', logLevel: 'info', log: sink });
    kafka.logger().info('from kafkajs', { extra: 1 });
    expect(lines).toEqual([['info', 'from kafkajs', { namespace: undefined, extra: 1 }]]);
  });

  it('parses a broker list', () => {
    expect(parseBrokers(' a:1, b:2 ,,')).toEqual(['a:1', 'b:2']);
  });
});

describe('FifoQueue', () => {
  it('keeps order across many pushes and shifts', () => {
    const queue = new FifoQueue<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      queue.push(i);
      if (i % 3 === 0) out.push(queue.shift() ?? -1);
    }
    out.push(...queue.drain());
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(queue.length).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });
});
