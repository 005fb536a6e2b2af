import { paginateByCursor, prefetchOne } from './paginate';

describe('paginateByCursor', () => {
  it('follows cursors until one is missing', async () => {
    const pages: Record<string, { items: number[]; next?: string }> = {
      '': { items: [1, 2], next: 'b' },
      b: { items: [3], next: 'c' },
      c: { items: [4] },
    };
    const seen: Array<string | undefined> = [];
    for await (const { page, cursor } of paginateByCursor(
      async (cursor) => pages[cursor ?? ''],
      (page) => page.next,
    )) {
      seen.push(cursor);
      expect(page.items.length).toBeGreaterThan(0);
    }
    expect(seen).toEqual([undefined, 'b', 'c']);
  });

  it('stops when the server repeats the cursor it was given', async () => {
    let calls = 0;
    const repeated: string[] = [];
    for await (const _ of paginateByCursor(
      async () => ({ next: 'same' }),
      (page) => page.next,
      undefined,
      (cursor) => repeated.push(cursor),
    )) {
      calls++;
      if (calls > 5) break;
    }
    expect(calls).toBe(2);
    expect(repeated).toEqual(['same']);
  });
});

describe('prefetchOne', () => {
  it('asks for at most one item ahead of the consumer', async () => {
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 10; i++) {
        produced++;
        yield i;
      }
    }
    const it = prefetchOne(source());
    await it.next();
    await new Promise((resolve) => setImmediate(resolve));
    expect(produced).toBe(2); // the one handed over and one in flight
    await new Promise((resolve) => setImmediate(resolve));
    expect(produced).toBe(2); // a consumer that does not ask gets nothing more
    await it.next();
    await new Promise((resolve) => setImmediate(resolve));
    expect(produced).toBe(3);
    await it.return(undefined);
  });

  it('closes the source when the consumer stops early and swallows the unread failure', async () => {
    let closed = false;
    async function* source() {
      try {
        yield 1;
        throw new Error('nobody reads this');
      } finally {
        closed = true;
      }
    }
    const onEarlyExit = jest.fn();
    for await (const value of prefetchOne(source(), onEarlyExit)) {
      expect(value).toBe(1);
      break;
    }
    expect(closed).toBe(true);
    expect(onEarlyExit).toHaveBeenCalledTimes(1);
  });

  it('passes a failure to a consumer that asks for it', async () => {
    async function* source(): AsyncGenerator<number> {
      yield 1;
      throw new Error('boom');
    }
    const values: number[] = [];
    await expect(
      (async () => {
        for await (const value of prefetchOne(source())) values.push(value);
      })(),
    ).rejects.toThrow('boom');
    expect(values).toEqual([1]);
  });
});
