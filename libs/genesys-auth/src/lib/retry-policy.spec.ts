import { GenesysApiError, GenesysConnectionError } from './errors';
import { backoffDelay, decideRetry, DEFAULT_RETRY_POLICY, resolveRetryPolicy } from './retry-policy';

const err = (status: number, headers: Record<string, string> = {}) =>
  GenesysApiError.fromResponse({ status, headers, body: { code: 'x', message: 'y' }, now: 0 });

describe('retry policy', () => {
  it('full jitter stays within [0, min(cap, base·2^n))', () => {
    const policy = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect(backoffDelay(policy, 1, () => 0)).toBe(0);
    expect(backoffDelay(policy, 1, () => 0.999999)).toBe(99);
    expect(backoffDelay(policy, 3, () => 0.999999)).toBe(399);
    expect(backoffDelay(policy, 10, () => 0.999999)).toBe(999);
  });

  it('retries 429/502/503/504 and connection errors, not 500 or 4xx', () => {
    const base = { policy: DEFAULT_RETRY_POLICY, method: 'GET', retrySafe: false, attempt: 1, elapsedMs: 0, random: () => 0.5 };
    for (const status of [429, 502, 503, 504]) expect(decideRetry({ ...base, error: err(status) }).retry).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 500]) expect(decideRetry({ ...base, error: err(status) }).retry).toBe(false);
    const reset = new GenesysConnectionError({ status: 0, code: 'ECONNRESET', message: 'reset' });
    expect(decideRetry({ ...base, error: reset }).retry).toBe(true);
  });

  it('does not repeat a POST after a 5xx or reset unless marked safe; 429 and refused connections are safe', () => {
    const base = { policy: DEFAULT_RETRY_POLICY, method: 'POST', attempt: 1, elapsedMs: 0, random: () => 0.5 };
    expect(decideRetry({ ...base, retrySafe: false, error: err(503) })).toEqual({ retry: false, reason: 'unsafe-method' });
    expect(decideRetry({ ...base, retrySafe: true, error: err(503) }).retry).toBe(true);
    expect(decideRetry({ ...base, retrySafe: false, error: err(429, { 'retry-after': '1' }) })).toEqual({ retry: true, delayMs: 1000 });
    const refused = new GenesysConnectionError({ status: 0, code: 'ECONNREFUSED', message: 'x', notSent: true });
    expect(decideRetry({ ...base, retrySafe: false, error: refused }).retry).toBe(true);
  });

  it('stops at maxAttempts and when a wait would exceed the total budget', () => {
    const policy = resolveRetryPolicy({ maxAttempts: 3, totalTimeoutMs: 10_000 });
    const base = { policy, method: 'GET', retrySafe: false, random: () => 0.5 };
    expect(decideRetry({ ...base, attempt: 3, elapsedMs: 0, error: err(503) })).toEqual({ retry: false, reason: 'attempts-exhausted' });
    expect(decideRetry({ ...base, attempt: 1, elapsedMs: 9_000, error: err(429, { 'retry-after': '2' }) })).toEqual({
      retry: false,
      reason: 'budget-exhausted',
    });
  });

  it('uses the 3 s default for a 429 without Retry-After', () => {
    expect(
      decideRetry({ policy: DEFAULT_RETRY_POLICY, method: 'GET', retrySafe: false, attempt: 1, elapsedMs: 0, random: () => 0, error: err(429) }),
    ).toEqual({ retry: true, delayMs: 3000 });
  });

  it('rejects nonsense settings', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveRetryPolicy({ totalTimeoutMs: -1 })).toThrow(/totalTimeoutMs/);
  });
});
