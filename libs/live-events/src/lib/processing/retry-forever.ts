import type { RandomSource, Sleep } from '@gcm/genesys-auth';

export interface PersistOptions {
  sleep: Sleep;
  random: RandomSource;
  signal?: AbortSignal;
  /** Attempts in all; Infinity keeps trying until it works or the signal aborts. */
  attempts: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `operation` until it succeeds, waiting a full-jitter backoff
 * (`random · min(max, base · 2^(n-1))`) between attempts. Throws the last error when the
 * attempts are spent, or the abort reason when the signal fires.
 */
export async function persist<T>(operation: () => Promise<T>, options: PersistOptions): Promise<T> {
  const base = options.baseDelayMs ?? 1_000;
  const max = options.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (options.signal?.aborted || attempt >= options.attempts) throw error;
      const delayMs = Math.floor(options.random() * Math.min(max, base * 2 ** (attempt - 1)));
      options.onRetry?.(error, attempt, delayMs);
      await options.sleep(delayMs, options.signal);
    }
  }
}
