import type { GenesysApiError } from './errors';
import { GenesysConnectionError } from './errors';

/**
 * The one retry policy of the transport, as data. Defaults follow what the official
 * .NET/Java SDKs retry (429, 502, 503, 504) with full-jitter exponential backoff
 * (`random · min(cap, base · 2^n)`), Retry-After honoured, and a total time budget.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. 1 disables retries. */
  maxAttempts: number;
  /** HTTP statuses worth another attempt. */
  retryStatuses: readonly number[];
  /** Retry connection failures (reset, refused, timeout, hang-up, truncated body). */
  retryConnectionErrors: boolean;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Used for a 429 without a Retry-After header. */
  retryAfterDefaultMs: number;
  /**
   * Time budget for the whole call, retries and waits included. A Retry-After that
   * would end past it fails the call at once instead of waiting.
   */
  totalTimeoutMs: number;
  /** Methods retried without being marked safe by the caller. */
  idempotentMethods: readonly string[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  retryStatuses: [429, 502, 503, 504],
  retryConnectionErrors: true,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  retryAfterDefaultMs: 3_000,
  totalTimeoutMs: 120_000,
  idempotentMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'],
});

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be an integer ≥ 1, got ${policy.maxAttempts}`);
  }
  for (const key of ['baseDelayMs', 'maxDelayMs', 'retryAfterDefaultMs', 'totalTimeoutMs'] as const) {
    if (!(policy[key] >= 0)) throw new RangeError(`retry.${key} must be ≥ 0, got ${policy[key]}`);
  }
  return policy;
}

/** Full jitter: a uniformly random delay in [0, min(cap, base·2^(retry-1))). */
export function backoffDelay(policy: RetryPolicy, retryNumber: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(random() * ceiling);
}

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'not-retryable' | 'unsafe-method' | 'attempts-exhausted' | 'budget-exhausted' };

export interface RetryContext {
  policy: RetryPolicy;
  error: GenesysApiError;
  method: string;
  /** The caller marked a non-idempotent request as safe to repeat. */
  retrySafe: boolean;
  /** Attempts made so far (≥ 1). */
  attempt: number;
  elapsedMs: number;
  random: () => number;
}

/**
 * Decides whether to try again and after how long. A 429 is retried whatever the
 * method: Genesys rejects a throttled request before doing any work. Other failures of
 * a non-idempotent request (POST, PATCH) are retried only when the caller says the
 * request is safe to repeat, or when it certainly never left this process.
 */
export function decideRetry(ctx: RetryContext): RetryDecision {
  const { policy, error } = ctx;
  const statusRetryable =
    error.category === 'connection'
      ? policy.retryConnectionErrors
      : policy.retryStatuses.includes(error.status);
  if (!statusRetryable) return { retry: false, reason: 'not-retryable' };

  const idempotent = policy.idempotentMethods.includes(ctx.method.toUpperCase());
  const neverSent = error instanceof GenesysConnectionError && error.notSent;
  if (!idempotent && !ctx.retrySafe && error.status !== 429 && !neverSent) {
    return { retry: false, reason: 'unsafe-method' };
  }
  if (ctx.attempt >= policy.maxAttempts) return { retry: false, reason: 'attempts-exhausted' };

  const delayMs =
    error.retryAfterMs ??
    (error.status === 429 ? policy.retryAfterDefaultMs : backoffDelay(policy, ctx.attempt, ctx.random));
  if (ctx.elapsedMs + delayMs > policy.totalTimeoutMs) return { retry: false, reason: 'budget-exhausted' };
  return { retry: true, delayMs };
}
