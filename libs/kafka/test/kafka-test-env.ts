import { randomBytes } from 'node:crypto';
import { createServer, Server, Socket, connect } from 'node:net';
import { ISocketFactory, Kafka } from 'kafkajs';
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

/**
 * A TCP proxy in front of the broker that a test can stall ("blackhole": connections stay open,
 * nothing is forwarded) or take down (connections reset, new ones refused), then restore.
 * kafkajs is pointed at it with `socketFactory`, so even the connections to the advertised
 * broker address go through it.
 */
export class BrokerProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private mode: 'up' | 'blackhole' | 'down' = 'up';
  port = 0;

  constructor(private readonly upstream: { host: string; port: number }) {}

  static forBroker(broker: string): BrokerProxy {
    const [host, port] = broker.split(':');
    return new BrokerProxy({ host, port: Number(port) });
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    this.port = address.port;
  }

  readonly socketFactory: ISocketFactory = ({ onConnect }) => {
    const socket = connect({ host: '127.0.0.1', port: this.port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };

  /** Keep connections open but forward nothing, like a stalled broker. */
  blackhole(): void {
    this.mode = 'blackhole';
    for (const socket of this.sockets) socket.pause();
  }

  /** Reset every connection and refuse new ones, like a dead broker. */
  down(): void {
    this.mode = 'down';
    this.destroyAll();
  }

  /** Back to normal: stalled connections are reset (kafkajs reconnects). */
  restore(): void {
    this.mode = 'up';
    this.destroyAll();
  }

  async stop(): Promise<void> {
    this.destroyAll();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private accept(client: Socket): void {
    if (this.mode === 'down') {
      client.destroy();
      return;
    }
    const upstream = connect(this.upstream);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk) => {
      if (this.mode === 'up') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (this.mode === 'up') client.write(chunk);
    });
    if (this.mode === 'blackhole') client.pause();
  }
}
