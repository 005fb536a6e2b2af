import { WebSocket } from 'ws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = { type: string; class: string; code: number; body: any; tracingId?: string };

/**
 * A bare web messaging guest socket for specs: sends frames, records every frame received,
 * and waits (on real I/O, never on a timer) for the one a test expects.
 */
export class GuestSocketClient {
  readonly frames: Frame[] = [];
  private waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void; reject: (e: Error) => void }> = [];
  private seq = 0;
  closed?: { code: number; reason: string };

  private constructor(
    readonly ws: WebSocket,
    readonly token: string,
  ) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(frame)) {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          waiter.resolve(frame);
        }
      }
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const waiter of this.waiters) waiter.reject(new Error(`socket closed (${code}) while waiting for a frame`));
      this.waiters = [];
    });
  }

  static async open(url: string, token: string): Promise<GuestSocketClient> {
    const ws = new WebSocket(url);
    const client = new GuestSocketClient(ws, token);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Sends a frame with this client's token and a fresh tracingId; resolves with the answer carrying it. */
  request(action: string, fields: Record<string, unknown> = {}): Promise<Frame> {
    const tracingId = `t-${++this.seq}`;
    const answer = this.next((f) => f.tracingId === tracingId);
    this.send({ action, token: this.token, tracingId, ...fields });
    return answer;
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  configure(deploymentId: string, extra: Record<string, unknown> = {}): Promise<Frame> {
    return this.request('configureSession', { deploymentId, ...extra });
  }

  /** `extra` goes beside the message in the frame, `messageExtra` inside it (e.g. `channel` with custom attributes). */
  sendText(text: string, extra: Record<string, unknown> = {}, messageExtra: Record<string, unknown> = {}): Promise<Frame> {
    return this.request('onMessage', { message: { type: 'Text', text, ...messageExtra }, ...extra });
  }

  /** The first frame (already received or still to come) that matches. */
  next(match: (f: Frame) => boolean, options: { after?: number } = {}): Promise<Frame> {
    const seen = this.frames.slice(options.after ?? 0).find(match);
    if (seen) return Promise.resolve(seen);
    if (this.closed) return Promise.reject(new Error('socket is closed'));
    return new Promise<Frame>((resolve, reject) => this.waiters.push({ match, resolve, reject }));
  }

  /** Waits for a frame of a class pushed after the frames seen so far. */
  nextPush(cls: string): Promise<Frame> {
    return this.next((f) => f.class === cls && f.tracingId === undefined, { after: this.frames.length });
  }

  /** Round trip through the server: every frame it sent before the echo has arrived after this. */
  async sync(): Promise<void> {
    await this.request('echo', { message: { type: 'Text', text: 'ping' } });
  }

  whenClosed(): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  close(): void {
    this.ws.terminate();
  }
}
