import { abortReason, type Clock, type RandomSource, type Sleep } from './clock';
import { GenesysAbortedError, GenesysApiError } from './errors';
import { decideRetry, type RetryPolicy } from './retry-policy';

export interface RetryEvent {
  method: string;
  path: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  status: number;
  code: string;
  contextId?: string;
}

export interface RetryRunOptions<T> {
  policy: RetryPolicy;
  method: string;
  path: string;
  retrySafe: boolean;
  clock: Clock;
  sleep: Sleep;
  random: RandomSource;
  signal?: AbortSignal;
  onRetry?: (event: RetryEvent) => void;
  /** Called before each wait, e.g. to pause a shared limiter after a 429. */
  beforeWait?: (error: GenesysApiError, delayMs: number) => void;
  /** Shortens the wait the policy chose (called after beforeWait), e.g. when another client of a pool can take the retry now. */
  delayFor?: (error: GenesysApiError, delayMs: number) => number;
  /** One attempt; throws a GenesysApiError on failure. */
  attempt: (attempt: number) => Promise<T>;
}

/** Runs `attempt` until it succeeds or the policy says stop; the last error is thrown. */
export async function runWithRetry<T>(options: RetryRunOptions<T>): Promise<T> {
  const started = options.clock.now();
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw aborted(options, attempt);
    let error: GenesysApiError;
    try {
      return await options.attempt(attempt);
    } catch (thrown) {
      if (!(thrown instanceof GenesysApiError)) throw thrown;
      error = thrown;
    }
    error.attempts = attempt;
    if (error.category === 'aborted') throw error;
    const decision = decideRetry({
      policy: options.policy,
      error,
      method: options.method,
      retrySafe: options.retrySafe,
      attempt,
      elapsedMs: options.clock.now() - started,
      random: options.random,
    });
    if (!decision.retry) {
      if (decision.reason === 'budget-exhausted' || decision.reason === 'attempts-exhausted') {
        error.message += ` Gave up after ${attempt} attempt${attempt === 1 ? '' : 's'} (${decision.reason.replace('-', ' ')}).`;
      }
      throw error;
    }
    options.beforeWait?.(error, decision.delayMs);
    const delayMs = Math.min(decision.delayMs, Math.max(0, options.delayFor?.(error, decision.delayMs) ?? decision.delayMs));
    options.onRetry?.({
      method: options.method,
      path: options.path,
      attempt,
      delayMs,
      status: error.status,
      code: error.code,
      contextId: error.contextId,
    });
    // no wait at all (not even a turn of a fake clock) when the retry can go at once
    if (delayMs <= 0) continue;
    try {
      await options.sleep(delayMs, options.signal);
    } catch (_abort) {
      throw aborted(options, attempt);
    }
  }
}

function aborted(options: { method: string; path: string; signal?: AbortSignal }, attempt: number) {
  const reason = options.signal ? abortReason(options.signal) : undefined;
  const why = reason instanceof Error && reason.message ? `: ${reason.message}` : '';
  return new GenesysAbortedError({
    message: `Genesys ${options.method} ${options.path} was aborted by the caller${why}`,
    method: options.method,
    path: options.path,
    attempts: attempt,
  });
}
