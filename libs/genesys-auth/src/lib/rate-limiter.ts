import { abortReason, type Clock, type Sleep } from './clock';

export interface RateLimiterOptions {
  /** At most this many request starts in any rolling 60 s window. Genesys counts per token per minute (default limit 300). */
  requestsPerMinute?: number;
  /** At most this many requests in flight at once. */
  maxConcurrency?: number;
  clock: Clock;
  sleep: Sleep;
}

/** What Genesys told us about the budget in its `inin-ratelimit-*` headers. */
export interface RateLimitBudget {
  /** Requests allowed in the current window (`inin-ratelimit-allowed`). */
  allowed: number;
  /** Requests used so far (`inin-ratelimit-count`). */
  used: number;
  remaining: number;
  /** Epoch ms at which the window resets (from `inin-ratelimit-reset`, seconds). */
  resetAt?: number;
  observedAt: number;
}

/**
 * One limiter shared by every call through a transport, so a busy process slows down
 * before Genesys answers 429: a rolling-window cap on request starts, a concurrency
 * cap, and a pause that every caller honours after a 429 or an exhausted budget.
 */
export class RateLimiter {
  readonly requestsPerMinute: number;
  readonly maxConcurrency: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  /** Start times of the most recent requests, oldest first; at most requestsPerMinute long. */
  private readonly starts: number[] = [];
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  private pausedUntil = 0;
  /** The budget Genesys last reported, and requests started since (it does not count them yet). */
  private reported?: RateLimitBudget;
  private startsSinceReport = 0;

  constructor(options: RateLimiterOptions) {
    this.requestsPerMinute = options.requestsPerMinute ?? Infinity;
    this.maxConcurrency = options.maxConcurrency ?? Infinity;
    if (!(this.requestsPerMinute > 0)) {
      throw new RangeError(`rateLimit.requestsPerMinute must be > 0, got ${options.requestsPerMinute}`);
    }
    if (!(this.maxConcurrency >= 1)) {
      throw new RangeError(`rateLimit.maxConcurrency must be ≥ 1, got ${options.maxConcurrency}`);
    }
    this.clock = options.clock;
    this.sleep = options.sleep;
  }

  get activeRequests(): number {
    return this.inFlight;
  }

  /** Epoch ms until which new requests are held (a 429 or a spent budget); 0 when not paused. */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** True while fewer than `maxConcurrency` requests are in flight. */
  get hasFreeSlot(): boolean {
    return this.inFlight < this.maxConcurrency;
  }

  /** How long until a request may start (pause, rate window); 0 when it may start now. Ignores concurrency. */
  readyInMs(): number {
    return Math.max(0, this.waitMs());
  }

  /**
   * Takes a slot and a place in the window at once when both are free now, without
   * waiting (a client pool's choice among clients); `release` when done.
   */
  tryAcquire(): boolean {
    if (!this.hasFreeSlot || this.waitMs() > 0) return false;
    this.inFlight++;
    this.recordStart();
    return true;
  }

  /**
   * Requests this limiter could still start in the current minute: what is left of the
   * rolling window, and of the budget Genesys last reported (less the requests started
   * since), whichever is smaller. Infinity with no limit and no report.
   */
  headroom(): number {
    const now = this.clock.now();
    let left = Number.isFinite(this.requestsPerMinute) ? this.requestsPerMinute - this.startsWithin(now) : Infinity;
    const reported = this.reported;
    if (reported && (reported.resetAt === undefined || reported.resetAt > now)) {
      left = Math.min(left, reported.remaining - this.startsSinceReport);
    }
    return Math.max(0, left);
  }

  /** Waits for a concurrency slot and a place in the rate window; call `release` when done. */
  async acquire(signal?: AbortSignal): Promise<void> {
    await this.takeSlot(signal);
    try {
      for (;;) {
        if (signal?.aborted) throw abortReason(signal);
        const wait = this.waitMs();
        if (wait <= 0) break;
        await this.sleep(wait, signal);
      }
      this.recordStart();
    } catch (error) {
      this.release();
      throw error;
    }
  }

  release(): void {
    this.inFlight--;
    const next = this.waiters.shift();
    if (next) next();
  }

  /** Holds every new request until `until` (epoch ms), e.g. after a 429 with Retry-After. */
  pauseUntil(until: number): void {
    if (until > this.pausedUntil) this.pausedUntil = until;
  }

  /**
   * Applies the budget Genesys reported: when it is spent, wait for its reset; until then,
   * requests started since the report count against what it left (so concurrent callers
   * stop at the budget instead of running into 429s).
   */
  observe(budget: RateLimitBudget): void {
    const previous = this.reported;
    // an answer overtaken by a later one of the same window says less than we know
    const sameWindow =
      previous?.resetAt !== undefined && budget.resetAt !== undefined && Math.abs(previous.resetAt - budget.resetAt) < 2_000;
    if (!(sameWindow && previous && budget.used < previous.used)) {
      this.reported = budget;
      this.startsSinceReport = 0;
    }
    if (budget.remaining <= 0 && budget.resetAt !== undefined) this.pauseUntil(budget.resetAt);
  }

  private waitMs(): number {
    const now = this.clock.now();
    let wait = this.pausedUntil - now;
    if (this.starts.length >= this.requestsPerMinute) {
      const oldest = this.starts[this.starts.length - this.requestsPerMinute];
      wait = Math.max(wait, oldest + 60_000 - now);
    }
    const reported = this.reported;
    if (reported?.resetAt !== undefined && reported.resetAt > now && reported.remaining - this.startsSinceReport <= 0) {
      wait = Math.max(wait, reported.resetAt - now);
    }
    return wait;
  }

  private recordStart(): void {
    this.startsSinceReport++;
    // without a rate cap nothing reads the start times: keep none
    if (!Number.isFinite(this.requestsPerMinute)) return;
    this.starts.push(this.clock.now());
    if (this.starts.length > this.requestsPerMinute) {
      this.starts.splice(0, this.starts.length - this.requestsPerMinute);
    }
  }

  /** Starts in the rolling minute ending now (binary search: `starts` is in time order). */
  private startsWithin(now: number): number {
    const since = now - 60_000;
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.starts[mid] <= since) low = mid + 1;
      else high = mid;
    }
    return this.starts.length - low;
  }

  private takeSlot(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.inFlight < this.maxConcurrency) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        if (signal) reject(abortReason(signal));
      };
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.inFlight++;
        resolve();
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Reads `inin-ratelimit-count/allowed/reset` when present. */
export function readRateLimitHeaders(
  headers: Record<string, unknown>,
  now: number,
): RateLimitBudget | undefined {
  const get = (name: string) => {
    const value = headers[name] ?? headers[name.toUpperCase()];
    const n = Number(Array.isArray(value) ? value[0] : value);
    return value === undefined || value === null || Number.isNaN(n) ? undefined : n;
  };
  const allowed = get('inin-ratelimit-allowed');
  const used = get('inin-ratelimit-count');
  if (allowed === undefined || used === undefined) return undefined;
  const reset = get('inin-ratelimit-reset');
  return {
    allowed,
    used,
    remaining: Math.max(0, allowed - used),
    resetAt: reset === undefined ? undefined : now + reset * 1000,
    observedAt: now,
  };
}
