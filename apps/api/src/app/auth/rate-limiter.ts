import type { Clock } from '@gcm/genesys-auth';

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until a request would be allowed again (0 when allowed). */
  readonly retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const MINUTE = 60_000;
const MAX_BUCKETS = 50_000;

/**
 * Token buckets per key (or per client address): `perMinute` requests a minute, refilled
 * continuously, with bursts up to `perMinute`. In memory: each replica limits on its own,
 * so N replicas allow up to N × the limit — the per-key limit protects each instance and
 * the Genesys quota behind it, it is not a global quota.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: Clock) {}

  take(bucketKey: string, perMinute: number): RateDecision {
    const now = this.clock.now();
    const ratePerMs = perMinute / MINUTE;
    let bucket = this.buckets.get(bucketKey);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.prune(now);
      bucket = { tokens: perMinute, updatedAt: now };
      this.buckets.set(bucketKey, bucket);
    } else {
      bucket.tokens = Math.min(perMinute, bucket.tokens + Math.max(0, now - bucket.updatedAt) * ratePerMs);
      bucket.updatedAt = now;
    }
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    const missing = perMinute - bucket.tokens;
    return {
      allowed,
      limit: perMinute,
      remaining: Math.floor(bucket.tokens),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1_000)),
      resetSeconds: Math.ceil(missing / ratePerMs / 1_000),
    };
  }

  /** Drops buckets untouched for a minute: they have refilled completely and hold no information. */
  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt >= MINUTE) this.buckets.delete(key);
    }
    // still full of active buckets: forget the oldest rather than grow without bound
    if (this.buckets.size >= MAX_BUCKETS) {
      const oldest = [...this.buckets.entries()].sort((a, b) => a[1].updatedAt - b[1].updatedAt).slice(0, MAX_BUCKETS / 10);
      for (const [key] of oldest) this.buckets.delete(key);
    }
  }
}
