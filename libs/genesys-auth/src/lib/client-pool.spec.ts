import { FakeClock } from '../testing';
import { ClientPool, type PooledClient } from './client-pool';
import type { TokenSource } from './token-provider';

const source = (clientId: string): TokenSource => ({
  clientId,
  getToken: async () => `token-of-${clientId}`,
  invalidate: () => undefined,
  secrets: () => [],
});

/** Lets granted promises settle without moving the fake clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('ClientPool', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock('2026-06-01T12:00:00.000Z', { autoAdvance: false });
  });
  const pool = (ids: string[], rateLimit?: { requestsPerMinute?: number; maxConcurrency?: number }) =>
    new ClientPool({ tokens: ids.map(source), rateLimit, clock, sleep: clock.sleep });

  /** Acquires and releases at once, `n` times; the client ids in order. */
  async function take(p: ClientPool, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const client = await p.acquire();
      ids.push(client.clientId);
      p.release(client);
    }
    return ids;
  }

  it('takes turns among equal clients', async () => {
    expect(await take(pool(['a', 'b', 'c']), 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('N clients start N times the per-client requests per minute before anyone waits', async () => {
    const p = pool(['a', 'b'], { requestsPerMinute: 30 });
    expect(p.requestsPerMinute).toBe(60);
    const ids = await take(p, 60);
    expect(clock.now()).toBe(Date.parse('2026-06-01T12:00:00.000Z'));
    expect(ids.filter((id) => id === 'a')).toHaveLength(30);
    expect(ids.filter((id) => id === 'b')).toHaveLength(30);

    // the 61st waits for the first window to roll over, on the clock
    let granted: PooledClient | undefined;
    void p.acquire().then((client) => (granted = client));
    await settle();
    expect(granted).toBeUndefined();
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(60_000);
    expect(granted?.clientId).toBe('a');
  });

  it('a paused client (its 429) is skipped: the others carry the requests without waiting', async () => {
    const p = pool(['a', 'b', 'c']);
    const [a] = p.clients;
    p.pauseClient(a, clock.now() + 30_000);
    expect(await take(p, 4)).toEqual(['b', 'c', 'b', 'c']);
    expect(p.stats()[0]).toMatchObject({ clientId: 'a', pausedUntil: clock.now() + 30_000 });
    await clock.advance(30_000);
    expect(p.stats()[0].pausedUntil).toBeUndefined();
    expect(await take(p, 1)).toEqual(['a']);
  });

  it('prefers the client with the most reported budget left', async () => {
    const p = pool(['a', 'b']);
    const [a, b] = p.clients;
    const resetAt = clock.now() + 40_000;
    p.observe(a, { allowed: 300, used: 290, remaining: 10, resetAt, observedAt: clock.now() });
    p.observe(b, { allowed: 300, used: 100, remaining: 200, resetAt, observedAt: clock.now() });
    const ids = await take(p, 200);
    // b is used until it has no more left than a; then they alternate
    expect(ids.slice(0, 190).every((id) => id === 'b')).toBe(true);
    expect(ids.filter((id) => id === 'a')).toHaveLength(5);
  });

  it('holds a client whose reported budget is spent until its reset, counting requests started since the report', async () => {
    const p = pool(['a']);
    const [a] = p.clients;
    p.observe(a, { allowed: 300, used: 298, remaining: 2, resetAt: clock.now() + 20_000, observedAt: clock.now() });
    expect(await take(p, 2)).toEqual(['a', 'a']);
    let granted = false;
    void p.acquire().then(() => (granted = true));
    await settle();
    expect(granted).toBe(false);
    await clock.advance(20_000);
    expect(granted).toBe(true);
  });

  it('concurrency is per client; a waiter gets whichever client frees a slot first', async () => {
    const p = pool(['a', 'b'], { maxConcurrency: 1 });
    expect(p.maxConcurrency).toBe(2);
    const first = await p.acquire();
    const second = await p.acquire();
    expect([first.clientId, second.clientId]).toEqual(['a', 'b']);
    expect(p.activeRequests).toBe(2);
    let third: PooledClient | undefined;
    void p.acquire().then((client) => (third = client));
    await settle();
    expect(third).toBeUndefined();
    p.release(second);
    await settle();
    expect(third?.clientId).toBe('b');
    expect(clock.now()).toBe(Date.parse('2026-06-01T12:00:00.000Z'));
  });

  it('grants waiters in arrival order, and drops an aborted one', async () => {
    const p = pool(['a'], { maxConcurrency: 1 });
    const held = await p.acquire();
    const order: string[] = [];
    const controller = new AbortController();
    const aborted = p.acquire(controller.signal).catch((error) => {
      order.push('aborted');
      throw error;
    });
    void p.acquire().then(() => order.push('second'));
    void p.acquire().then(() => order.push('third'));
    controller.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toThrow('caller gave up');
    p.release(held);
    await settle();
    expect(order).toEqual(['aborted', 'second']);
    p.release(p.clients[0]);
    await settle();
    expect(order).toEqual(['aborted', 'second', 'third']);
  });

  it('pins a request to one client when asked (the retry after its re-login)', async () => {
    const p = pool(['a', 'b']);
    const [, b] = p.clients;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await p.acquire(undefined, b);
      ids.push(client.clientId);
      p.release(client);
    }
    expect(ids).toEqual(['b', 'b', 'b']);
  });

  it('refuses an empty pool and a client given twice', () => {
    expect(() => pool([])).toThrow('a client pool needs at least one OAuth client');
    expect(() => pool(['a', 'b', 'a'])).toThrow('OAuth client a is in the pool twice');
  });

  it('counts per client for metrics', async () => {
    const p = pool(['a', 'b']);
    const [a, b] = p.clients;
    a.requests = 3;
    a.throttled = 1;
    b.requests = 2;
    expect(p.stats()).toEqual([
      { clientId: 'a', requests: 3, throttled: 1, inFlight: 0 },
      { clientId: 'b', requests: 2, throttled: 0, inFlight: 0 },
    ]);
  });
});
