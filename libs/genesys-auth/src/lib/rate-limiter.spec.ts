import { FakeClock } from '../testing';
import { RateLimiter, readRateLimitHeaders } from './rate-limiter';

describe('RateLimiter', () => {
  it('never starts more than requestsPerMinute requests in any rolling minute', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 10, clock, sleep: clock.sleep });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 35 }, async () => {
        await limiter.acquire();
        starts.push(clock.now());
        limiter.release();
      }),
    );
    starts.sort((a, b) => a - b);
    expect(starts).toHaveLength(35);
    for (let i = 10; i < starts.length; i++) expect(starts[i] - starts[i - 10]).toBeGreaterThanOrEqual(60_000);
    // and it does not wait longer than it must
    expect(starts[34] - starts[0]).toBe(180_000);
  });

  it('caps concurrency and hands slots over in order', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxConcurrency: 2, clock, sleep: clock.sleep });
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        await limiter.acquire();
        active++;
        peak = Math.max(peak, active);
        order.push(i);
        await new Promise((resolve) => setImmediate(resolve));
        active--;
        limiter.release();
      }),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(limiter.activeRequests).toBe(0);
  });

  it('an aborted waiter gives its place up', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxConcurrency: 1, clock, sleep: clock.sleep });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeDefined();
    limiter.release();
    await limiter.acquire();
    expect(limiter.activeRequests).toBe(1);
  });

  it('rejects nonsense limits', () => {
    const clock = new FakeClock();
    expect(() => new RateLimiter({ requestsPerMinute: 0, clock, sleep: clock.sleep })).toThrow(/requestsPerMinute/);
    expect(() => new RateLimiter({ maxConcurrency: 0, clock, sleep: clock.sleep })).toThrow(/maxConcurrency/);
  });

  it('reads inin-ratelimit headers', () => {
    expect(readRateLimitHeaders({ 'inin-ratelimit-count': '12', 'inin-ratelimit-allowed': '300', 'inin-ratelimit-reset': '30' }, 1000)).toEqual({
      allowed: 300,
      used: 12,
      remaining: 288,
      resetAt: 31_000,
      observedAt: 1000,
    });
    expect(readRateLimitHeaders({}, 0)).toBeUndefined();
  });
});
