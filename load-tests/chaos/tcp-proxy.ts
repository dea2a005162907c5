import { Server, Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of a broker, to cut "the network" between the apps and Kafka without root:
 * the broker advertises the proxy's port (KAFKA_ADVERTISED), so every connection of every app,
 * including those to the advertised address, goes through it. `cut()` drops everything like a
 * partition would: open connections stay open but nothing is forwarded, new connections are
 * accepted and left silent. `restore()` resets the stalled connections (as the peers' timeouts
 * eventually would) and forwards again.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private cutSince: number | null = null;
  port = 0;

  constructor(private readonly upstream: { readonly host: string; readonly port: number }) {}

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

  get isCut(): boolean {
    return this.cutSince !== null;
  }

  get connections(): number {
    return this.sockets.size / 2;
  }

  cut(): void {
    this.cutSince = Date.now();
    for (const socket of this.sockets) socket.pause();
  }

  restore(): void {
    this.cutSince = null;
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
      if (this.cutSince === null) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (this.cutSince === null) client.write(chunk);
    });
    if (this.cutSince !== null) client.pause();
  }
}
