import type { ServerResponse } from 'node:http';

/**
 * Writes NDJSON with backpressure: `write` resolves once the line is accepted, and waits
 * for `drain` when the socket buffer is full — so a slow reader slows the producer
 * (the search requests its next page only when asked) instead of growing memory. Lines
 * written in the same turn of the event loop go out together (cork/uncork).
 */
export class NdjsonWriter {
  private corked = false;
  private closed = false;

  constructor(private readonly response: ServerResponse) {
    response.once('close', () => {
      this.closed = true;
    });
  }

  get isClosed(): boolean {
    return this.closed || this.response.destroyed;
  }

  async write(value: unknown): Promise<void> {
    if (this.isClosed) throw new Error('the client closed the connection');
    if (!this.corked) {
      this.corked = true;
      this.response.cork();
      process.nextTick(() => {
        this.corked = false;
        this.response.uncork();
      });
    }
    if (!this.response.write(`${JSON.stringify(value)}\n`)) await this.drained();
  }

  end(): void {
    if (!this.isClosed && !this.response.writableEnded) this.response.end();
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.response.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        this.response.off('drain', onDrain);
        reject(new Error('the client closed the connection'));
      };
      this.response.once('drain', onDrain);
      this.response.once('close', onClose);
    });
  }
}
