import type { Clock } from '@gcm/genesys-auth';

export interface LoginThrottleOptions {
  /** Failures a subject may have before each further one makes it wait. */
  readonly freeFailures: number;
  /** The wait after the first failure past the free ones; it doubles with each further failure. */
  readonly baseDelayMs: number;
  /** The longest wait. */
  readonly maxDelayMs: number;
  /** A subject with no failure for this long starts afresh. */
  readonly forgetAfterMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };

interface Failures {
  count: number;
  lastAt: number;
  blockedUntil: number;
}

const MAX_SUBJECTS = 50_000;

/**
 * Failed sign-ins of the review pages, per subject (`ip:<client address>`, and `key:<id>`
 * when the presented key is known but refused): after `freeFailures` failures each further
 * one blocks the subject for a growing delay (1 s, 2 s, 4 s … up to 15 min), during which
 * sign-ins are refused without looking at the key. A success clears the subject.
 *
 * Why not @nestjs/throttler: it counts requests in fixed windows with a fixed block, per
 * route; what is needed is a count of failures only (a reviewer's successful sign-ins cost
 * nothing) with a delay that grows with each one. In memory, per instance, like the
 * per-key rate limiter.
 */
export class LoginThrottle {
  private readonly subjects = new Map<string, Failures>();

  constructor(
    private readonly clock: Clock,
    private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE,
  ) {}

  /** Seconds the caller must wait before a sign-in is considered, or 0. */
  retryAfterSeconds(subjects: readonly string[]): number {
    const now = this.clock.now();
    let wait = 0;
    for (const subject of subjects) {
      const failures = this.current(subject, now);
      if (failures && failures.blockedUntil > now) wait = Math.max(wait, failures.blockedUntil - now);
    }
    return wait === 0 ? 0 : Math.ceil(wait / 1_000);
  }

  failed(subjects: readonly string[]): void {
    const now = this.clock.now();
    for (const subject of subjects) {
      const failures = this.current(subject, now) ?? { count: 0, lastAt: now, blockedUntil: 0 };
      failures.count += 1;
      failures.lastAt = now;
      const past = failures.count - this.options.freeFailures;
      if (past > 0) failures.blockedUntil = now + Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(past - 1, 30));
      if (!this.subjects.has(subject) && this.subjects.size >= MAX_SUBJECTS) this.prune(now);
      this.subjects.set(subject, failures);
    }
  }

  succeeded(subjects: readonly string[]): void {
    for (const subject of subjects) this.subjects.delete(subject);
  }

  private current(subject: string, now: number): Failures | undefined {
    const failures = this.subjects.get(subject);
    if (failures && now - failures.lastAt >= this.options.forgetAfterMs && failures.blockedUntil <= now) {
      this.subjects.delete(subject);
      return undefined;
    }
    return failures;
  }

  private prune(now: number): void {
    for (const [subject, failures] of this.subjects) {
      if (failures.blockedUntil <= now) this.subjects.delete(subject);
    }
    if (this.subjects.size >= MAX_SUBJECTS) {
      const oldest = [...this.subjects.entries()].sort((a, b) => a[1].lastAt - b[1].lastAt).slice(0, MAX_SUBJECTS / 10);
      for (const [subject] of oldest) this.subjects.delete(subject);
    }
  }
}
