import type { RandomSource } from '../clock';

/** How often a leased item is retried and how long to wait between attempts. */
export interface RetryPolicy {
  /** attempts before an item is dead-lettered (the first attempt counts) */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
};

/**
 * Full-jitter exponential backoff: uniform in [0, min(max, base * 2^(attempt-1))), so
 * replicas that failed together do not retry together.
 */
export function fullJitterDelayMs(attempt: number, policy: RetryPolicy, random: RandomSource): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 52));
  return Math.floor(random() * ceiling);
}
