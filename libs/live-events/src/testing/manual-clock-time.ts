import type { Clock, Sleep } from '@gcm/genesys-auth';

/** What this needs of a manual clock: the sandbox's `ManualClock` fits. */
export interface SchedulingClock {
  now(): number;
  /** Runs `task` once the clock reads `at`; returns a cancel function. */
  schedule(at: number, task: () => void): () => void;
}

/**
 * Client time on a manual clock: `now` reads it, `sleep` is a timer on it. Give it to the
 * channel manager and LiveEvents together with a sandbox on the same clock, and the
 * heartbeats, closing notices, reconnect backoff, rollovers and SLA checks all happen when
 * the test advances the clock, never on a real timer.
 */
export function manualClockTime(clock: SchedulingClock): { clock: Clock; sleep: Sleep } {
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = clock.schedule(clock.now() + Math.max(0, ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  return { clock: { now: () => clock.now() }, sleep };
}
