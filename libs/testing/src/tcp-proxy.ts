import { Server, Socket, connect, createServer } from 'node:net';
import type { ISocketFactory } from 'kafkajs';

type ProxyMode = 'up' | 'cut' | 'down';

/**
 * A TCP proxy in front of a broker, to break "the network" without root. Clients reach the broker
 * only through it, either because the broker advertises the proxy's port (KAFKA_ADVERTISED, for
 * apps run as processes) or through `socketFactory` (kafkajs in the test's own process).
 * - `cut()`: a partition. Open connections stay open but nothing is forwarded; new connections
 *   are accepted and left silent.
 * - `down()`: a dead broker. Every connection is reset and new ones are refused.
 * - `restore()`: stalled connections are reset (as the peers' timeouts eventually would) and
 *   traffic flows again.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private mode: ProxyMode = 'up';
  port = 0;

  constructor(private readonly upstream: { readonly host: string; readonly port: number }) {}

  /** A proxy in front of `host:port`. */
  static forBroker(broker: string): TcpProxy {
    const [host, port] = broker.split(':');
    return new TcpProxy({ host, port: Number(port) });
  }

  async start(port = 0): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    this.port = address.port;
  }

  /** For kafkajs' `socketFactory`: every connection, whatever address it was meant for, goes through the proxy. */
  readonly socketFactory: ISocketFactory = ({ onConnect }) => {
    const socket = connect({ host: '127.0.0.1', port: this.port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };

  get isCut(): boolean {
    return this.mode === 'cut';
  }

  /** Client connections currently open through the proxy. */
  get connections(): number {
    return this.sockets.size / 2;
  }

  cut(): void {
    this.mode = 'cut';
    for (const socket of this.sockets) socket.pause();
  }

  down(): void {
    this.mode = 'down';
    this.destroyAll();
  }

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
    if (this.mode === 'cut') client.pause();
  }
}
