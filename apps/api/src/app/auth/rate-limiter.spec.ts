import { FakeClock } from '@gcm/genesys-auth/testing';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst of the per-minute limit, then refills continuously', () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const limiter = new RateLimiter(clock);
    const decisions = Array.from({ length: 4 }, () => limiter.take('key:a', 3));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[2]).toMatchObject({ remaining: 0, limit: 3 });
    // one token every 20 s at 3 a minute
    expect(decisions[3].retryAfterSeconds).toBe(20);
    clock.advance(19_000);
    expect(limiter.take('key:a', 3).allowed).toBe(false);
    clock.advance(1_000);
    expect(limiter.take('key:a', 3)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('keeps buckets apart', () => {
    const limiter = new RateLimiter(new FakeClock('2026-01-01T00:00:00Z'));
    expect(limiter.take('key:a', 1).allowed).toBe(true);
    expect(limiter.take('key:a', 1).allowed).toBe(false);
    expect(limiter.take('key:b', 1).allowed).toBe(true);
  });
});
