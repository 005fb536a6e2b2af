import type { TerminalStream } from './terminal';

/**
 * Writes one JSON document per line and honours back-pressure: when the reader of a pipe
 * is slower than the source, the source waits instead of piling lines up in memory. An
 * aborted signal ends the wait (the line is already queued, so nothing is lost).
 */
export class NdjsonWriter {
  private lines = 0;

  constructor(
    private readonly stream: TerminalStream,
    private readonly signal?: AbortSignal,
  ) {}

  get written(): number {
    return this.lines;
  }

  async write(value: unknown): Promise<void> {
    const ready = this.stream.write(`${JSON.stringify(value)}\n`);
    this.lines++;
    if (ready || this.signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.removeListener('drain', done);
        this.signal?.removeEventListener('abort', done);
        resolve();
      };
      this.stream.once('drain', done);
      this.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
