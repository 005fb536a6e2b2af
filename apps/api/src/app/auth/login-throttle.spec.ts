import { FakeClock } from '@gcm/genesys-auth/testing';
import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  const options = { freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 8_000, forgetAfterMs: 60_000 };

  it('lets the free failures through, then blocks for a delay that doubles up to the cap', () => {
    const clock = new FakeClock(0);
    const throttle = new LoginThrottle(clock, options);
    const ip = ['ip:10.0.0.1'];
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterSeconds(ip)).toBe(0);
      throttle.failed(ip);
    }
    expect(throttle.retryAfterSeconds(ip)).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      throttle.failed(ip);
      waits.push(throttle.retryAfterSeconds(ip));
      clock.advance(waits[i] * 1_000);
      expect(throttle.retryAfterSeconds(ip)).toBe(0);
    }
    expect(waits).toEqual([1, 2, 4, 8, 8, 8]);
  });

  it('counts each subject on its own, blocks on any, and clears on success', () => {
    const clock = new FakeClock(0);
    const throttle = new LoginThrottle(clock, { ...options, freeFailures: 0 });
    throttle.failed(['ip:a', 'key:alice']);
    expect(throttle.retryAfterSeconds(['ip:b'])).toBe(0);
    expect(throttle.retryAfterSeconds(['ip:b', 'key:alice'])).toBe(1);
    clock.advance(1_000);
    throttle.succeeded(['ip:a', 'key:alice']);
    throttle.failed(['ip:a']);
    expect(throttle.retryAfterSeconds(['ip:a'])).toBe(1);
  });

  it('forgets a subject after a quiet period', () => {
    const clock = new FakeClock(0);
    const throttle = new LoginThrottle(clock, options);
    for (let i = 0; i < 5; i++) throttle.failed(['ip:a']);
    clock.advance(60_000);
    throttle.failed(['ip:a']);
    expect(throttle.retryAfterSeconds(['ip:a'])).toBe(0);
  });
});
