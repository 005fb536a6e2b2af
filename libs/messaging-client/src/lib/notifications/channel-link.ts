import type { Sleep } from '@gcm/genesys-auth';
import WebSocket, { type RawData } from 'ws';
import type { NotificationChannel, NotificationFrame } from './notification.model';

/** Opens the socket of a channel (`connectUri`); `ws` by default, replaceable in tests. */
export type WebSocketFactory = (url: string) => WebSocket;

export const defaultWebSocketFactory: WebSocketFactory = (url) => new WebSocket(url, { handshakeTimeout: 15_000 });

/** Why a socket could not be opened. `gone`: the channel no longer exists (404 before the upgrade). */
export class ChannelConnectError extends Error {
  override readonly name = 'ChannelConnectError';

  constructor(
    message: string,
    readonly gone: boolean,
  ) {
    super(message);
  }
}

export interface ReceivedFrame {
  frame: NotificationFrame;
  receivedAt: number;
}

/**
 * One Genesys channel and its socket (one socket per channel). Frames are parsed and
 * handed to `onFrame`; `onClose` reports a close the manager did not ask for. While
 * `buffer` is set (the new channel of a rollover, before the old one is closed) frames
 * are kept in arrival order instead.
 */
export class ChannelLink {
  readonly expiresAt: number;
  openedAt = 0;
  lastFrameAt = 0;
  lastPingAt = 0;
  /** The manager closed it (rollover, unsubscribe, shutdown): not a drop. */
  closedByUs = false;
  closed = false;
  buffer?: ReceivedFrame[];
  private socket?: WebSocket;
  private readonly closeWaiters: Array<() => void> = [];

  constructor(
    readonly channel: NotificationChannel,
    now: number,
    defaultLifetimeMs: number,
    private readonly handlers: {
      onFrame: (link: ChannelLink, received: ReceivedFrame) => void;
      onClose: (link: ChannelLink, code: number) => void;
      now: () => number;
    },
  ) {
    const expires = channel.expires === undefined ? Number.NaN : Date.parse(channel.expires);
    this.expiresAt = Number.isFinite(expires) ? expires : now + defaultLifetimeMs;
  }

  get id(): string {
    return this.channel.id;
  }

  /** Connects; resolves once open. Rejects with ChannelConnectError (never retried here). */
  open(factory: WebSocketFactory, timeoutMs: number, sleep: Sleep): Promise<void> {
    const timer = new AbortController();
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let socket: WebSocket;
      const fail = (message: string, gone: boolean) => {
        if (settled) return;
        settled = true;
        timer.abort();
        this.closed = true;
        socket?.removeAllListeners();
        socket?.on('error', () => undefined);
        socket?.terminate();
        this.notifyClosed();
        reject(new ChannelConnectError(message, gone));
      };
      try {
        socket = factory(this.channel.connectUri);
      } catch (error) {
        fail(`Cannot open the socket of channel ${this.id}: ${(error as Error).message}`, false);
        return;
      }
      this.socket = socket;
      socket.on('unexpected-response', (_req, res) => {
        fail(`The socket of channel ${this.id} was refused with HTTP ${res.statusCode}.`, res.statusCode === 404);
      });
      socket.on('error', (error) => fail(`The socket of channel ${this.id} failed: ${error.message}`, false));
      socket.on('close', (code) => {
        if (!settled) fail(`The socket of channel ${this.id} closed (${code}) before it opened.`, false);
        else this.onSocketClose(code);
      });
      socket.on('message', (data, isBinary) => {
        if (!isBinary) this.onMessage(data);
      });
      socket.on('open', () => {
        if (settled) return;
        settled = true;
        timer.abort();
        const now = this.handlers.now();
        this.openedAt = now;
        this.lastFrameAt = now;
        this.lastPingAt = now;
        resolve();
      });
      sleep(timeoutMs, timer.signal).then(
        () => fail(`The socket of channel ${this.id} did not open within ${timeoutMs} ms.`, false),
        () => undefined,
      );
    });
  }

  /** `{"message":"ping"}`: Genesys answers with a pong frame, which proves the socket alive. */
  ping(): void {
    this.lastPingAt = this.handlers.now();
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ message: 'ping' }));
  }

  /** Clean close (1000) by the manager. */
  close(): void {
    this.closedByUs = true;
    if (this.closed) return;
    if (this.socket && (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING)) this.socket.close(1000);
  }

  /** Drops the socket without a close handshake (a dead socket, or a close that hangs). */
  terminate(): void {
    this.socket?.terminate();
  }

  /** Resolves once the socket has closed (at once if it already has). */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  private onMessage(data: RawData): void {
    const receivedAt = this.handlers.now();
    this.lastFrameAt = receivedAt;
    let frame: NotificationFrame;
    try {
      frame = JSON.parse(data.toString()) as NotificationFrame;
    } catch {
      return;
    }
    if (typeof frame?.topicName !== 'string') return;
    if (this.buffer) this.buffer.push({ frame, receivedAt });
    else this.handlers.onFrame(this, { frame, receivedAt });
  }

  private onSocketClose(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.notifyClosed();
    this.handlers.onClose(this, code);
  }

  private notifyClosed(): void {
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }
}
