import { ISocketFactory, Kafka, LogEntry, logLevel as KafkaLogLevel, RetryOptions } from 'kafkajs';

export type LogLevelName = 'error' | 'warn' | 'info' | 'debug';
export type KafkaLogLevelOption = 'nothing' | LogLevelName;

/** Where kafkajs (and this lib) log to: one structured line per call. */
export type LogSink = (level: LogLevelName, message: string, extra: Readonly<Record<string, unknown>>) => void;

/** Default sink: one JSON line on stderr, `{time, level, logger, msg, ...extra}`. */
export const stderrJsonSink: LogSink = (level, message, extra) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, logger: 'kafka', msg: message, ...extra })}\n`);
};

export interface CreateKafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Default 'warn' (kafkajs info logs are chatty: every group join, every connect). */
  readonly logLevel?: KafkaLogLevelOption;
  readonly log?: LogSink;
  /** Fail fast by default: ~1 s to connect, ~4 s for a request (an append's deadline is 5 s). */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly retry?: RetryOptions;
  /** Test seam: route broker connections (e.g. through a pausable proxy). */
  readonly socketFactory?: ISocketFactory;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 1000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 4000;
export const DEFAULT_RETRY: RetryOptions = { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 };

const LEVELS: { readonly [L in KafkaLogLevelOption]: KafkaLogLevel } = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
};

export const levelName = (level: KafkaLogLevel): LogLevelName => {
  switch (level) {
    case KafkaLogLevel.ERROR:
      return 'error';
    case KafkaLogLevel.WARN:
      return 'warn';
    case KafkaLogLevel.INFO:
      return 'info';
    default:
      return 'debug';
  }
};

/**
 * The appender bounds kafkajs's retries on purpose (its own deadline and producer recreation
 * are what protect the log); kafkajs warns about it on every producer creation. That one
 * expected warning is logged at debug.
 */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

/** A kafkajs logCreator writing every entry to `sink`, kafkajs levels mapped to ours. */
export const kafkaLogCreator =
  (sink: LogSink) =>
  (configured: KafkaLogLevel) =>
  ({ namespace, level, log }: LogEntry): void => {
    const { message, timestamp: _timestamp, logger: _logger, ...extra } = log;
    const text = String(message);
    if (level === KafkaLogLevel.WARN && EXPECTED_WARNINGS.some((w) => text.startsWith(w))) {
      if (configured >= KafkaLogLevel.DEBUG) sink('debug', text, { namespace, ...extra });
      return;
    }
    sink(levelName(level), text, { namespace, ...extra });
  };

/** A kafkajs client set for fast failure, logging through `log` (default: JSON on stderr). */
export const createKafka = (options: CreateKafkaOptions): Kafka =>
  new Kafka({
    brokers: [...options.brokers],
    clientId: options.clientId,
    connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    enforceRequestTimeout: true,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    logLevel: LEVELS[options.logLevel ?? 'warn'],
    logCreator: kafkaLogCreator(options.log ?? stderrJsonSink),
    ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
  });

/** `KAFKA_BROKERS`-style list: "host:port,host:port". */
export const parseBrokers = (value: string): string[] =>
  value
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
