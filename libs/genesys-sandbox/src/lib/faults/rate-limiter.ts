import { SandboxClock } from '../clock/sandbox-clock';

export interface RateLimitVerdict {
  allowed: boolean;
  count: number;
  limit: number;
  /** Seconds until the window resets (at least 1). */
  resetSeconds: number;
}

const WINDOW_MS = 60_000;

/**
 * Requests per minute per key (the OAuth client id: Genesys counts per client) in fixed, clock-aligned one-minute windows, reported with
 * the inin-ratelimit-* headers the Platform API sends.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly clock: SandboxClock) {}

  hit(key: string, limit: number): RateLimitVerdict {
    const now = this.clock.now();
    const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    const resetSeconds = Math.max(1, Math.ceil((start + WINDOW_MS - now) / 1000));
    return { allowed: window.count <= limit, count: window.count, limit, resetSeconds };
  }
}
