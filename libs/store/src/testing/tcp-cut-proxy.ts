import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between a program and a server (PostgreSQL in the outage specs) that can
 * cut the line: `cut()` destroys every open connection and stops listening, so new
 * connections are refused (ECONNREFUSED, as when the server is stopped), until
 * `restore()` listens again on the same port. Every wait is bounded.
 */
export class TcpCutProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private restoreTimer: NodeJS.Timeout | undefined;
  /** Connections accepted since start, for specs that check the program reconnected. */
  accepted = 0;

  private constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards to `host:port`. */
  static async start(target: { host: string; port: number }): Promise<TcpCutProxy> {
    const probe = await listen(0, () => undefined);
    const port = (probe.address() as AddressInfo).port;
    await close(probe);
    const proxy = new TcpCutProxy(target, port);
    await proxy.restore();
    return proxy;
  }

  /** The proxy's host:port in place of the server's in a URL. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  get isCut(): boolean {
    return this.server === undefined;
  }

  /** Drops every connection and refuses new ones; with `forMs`, restores after that long. */
  async cut(forMs?: number): Promise<void> {
    clearTimeout(this.restoreTimer);
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await close(server);
    if (forMs !== undefined) this.restoreTimer = setTimeout(() => void this.restore(), forMs);
  }

  /** Listens again (a no-op while listening). */
  async restore(): Promise<void> {
    clearTimeout(this.restoreTimer);
    if (this.server) return;
    this.server = await listen(this.port, (client) => this.forward(client));
  }

  async stop(): Promise<void> {
    await this.cut();
  }

  private forward(client: Socket): void {
    this.accepted++;
    const upstream = createConnection(this.target);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}

function listen(port: number, onConnection: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(onConnection);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Closes a server, waiting at most 5 s (its connections are destroyed before). */
function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 5_000);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
