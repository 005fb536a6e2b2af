import { WebSocket } from 'ws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NotificationFrame = { topicName: string; version?: string; eventBody: any; metadata?: Record<string, string> };

/** A notifications channel socket for specs: records frames, waits for the ones a test expects. */
export class NotificationSocketClient {
  readonly frames: NotificationFrame[] = [];
  readonly raw: string[] = [];
  private waiters: Array<{ match: (f: NotificationFrame) => boolean; resolve: (f: NotificationFrame) => void; reject: (e: Error) => void }> = [];
  closed?: { code: number; reason: string };
  private readonly closedPromise: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      const frame = JSON.parse(text) as NotificationFrame;
      this.frames.push(frame);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(frame)) {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          waiter.resolve(frame);
        }
      }
    });
    this.closedPromise = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        for (const waiter of this.waiters) waiter.reject(new Error(`socket closed (${code}) while waiting for a frame`));
        this.waiters = [];
        resolve(this.closed);
      }),
    );
  }

  static async open(connectUri: string): Promise<NotificationSocketClient> {
    const ws = new WebSocket(connectUri);
    const client = new NotificationSocketClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** The next frame (received from now on) that matches. */
  next(match: (f: NotificationFrame) => boolean): Promise<NotificationFrame> {
    if (this.closed) return Promise.reject(new Error('socket is closed'));
    return new Promise((resolve, reject) => this.waiters.push({ match, resolve, reject }));
  }

  nextTopic(topicName: string): Promise<NotificationFrame> {
    return this.next((f) => f.topicName === topicName);
  }

  /** A ping round trip: every frame the server sent before the pong has arrived after this. */
  async sync(): Promise<void> {
    const pong = this.next((f) => f.topicName === 'channel.metadata' && f.eventBody?.message === 'pong');
    this.ws.send(JSON.stringify({ message: 'ping' }));
    await pong;
  }

  whenClosed(): Promise<{ code: number; reason: string }> {
    return this.closedPromise;
  }

  close(): void {
    this.ws.terminate();
  }
}
