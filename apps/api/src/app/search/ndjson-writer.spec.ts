import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { NdjsonWriter } from './ndjson-writer';

/** A response whose socket buffer is full until the test says it drained. */
class SlowResponse extends EventEmitter {
  readonly chunks: string[] = [];
  full = false;
  destroyed = false;
  writableEnded = false;
  corks = 0;

  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return !this.full;
  }
  cork(): void {
    this.corks++;
  }
  uncork(): void {
    this.corks--;
  }
  end(): void {
    this.writableEnded = true;
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('NdjsonWriter', () => {
  it('writes one JSON document per line', async () => {
    const response = new SlowResponse();
    const writer = new NdjsonWriter(response as unknown as ServerResponse);
    await writer.write({ a: 1 });
    await writer.write({ b: 'two\nlines' });
    writer.end();
    expect(response.chunks.join('')).toBe('{"a":1}\n{"b":"two\\nlines"}\n');
    expect(response.writableEnded).toBe(true);
  });

  it('holds the producer while the socket buffer is full, and releases it on drain', async () => {
    const response = new SlowResponse();
    const writer = new NdjsonWriter(response as unknown as ServerResponse);
    response.full = true;
    let accepted = false;
    const pending = writer.write({ n: 1 }).then(() => (accepted = true));
    await flush();
    await flush();
    expect(accepted).toBe(false);
    response.full = false;
    response.emit('drain');
    await pending;
    expect(accepted).toBe(true);
  });

  it('fails a waiting write when the client goes away, and refuses later ones', async () => {
    const response = new SlowResponse();
    const writer = new NdjsonWriter(response as unknown as ServerResponse);
    response.full = true;
    const pending = writer.write({ n: 1 });
    response.emit('close');
    await expect(pending).rejects.toThrow('the client closed the connection');
    await expect(writer.write({ n: 2 })).rejects.toThrow('the client closed the connection');
    expect(writer.isClosed).toBe(true);
  });

  it('batches the lines of one turn of the event loop in one cork', async () => {
    const response = new SlowResponse();
    const writer = new NdjsonWriter(response as unknown as ServerResponse);
    await Promise.all([writer.write(1), writer.write(2), writer.write(3)]);
    expect(response.corks).toBe(1);
    await flush();
    expect(response.corks).toBe(0);
  });
});
