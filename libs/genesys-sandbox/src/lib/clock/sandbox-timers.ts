import { isManualClock, SandboxClock } from './sandbox-clock';

/**
 * Timers on the sandbox clock: heartbeats, channel expiry, simulated agent replies, webhook
 * retries. With a ManualClock they fire when the test advances it; with a real clock they
 * are node timers (unref'd, so they never keep a process alive on their own). A failing
 * task is reported, never thrown into the clock.
 */
export class SandboxTimers {
  private readonly cancels = new Set<() => void>();

  constructor(
    readonly clock: SandboxClock,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Runs `task` when the clock reads `time` or later; returns a cancel function. */
  at(time: number, task: () => void): () => void {
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      this.cancels.delete(cancel);
      try {
        task();
      } catch (error) {
        this.onError(error);
      }
    };
    const cancelUnderlying = isManualClock(this.clock) ? this.clock.schedule(time, run) : this.realTimer(time, run);
    const cancel = () => {
      done = true;
      this.cancels.delete(cancel);
      cancelUnderlying();
    };
    this.cancels.add(cancel);
    return cancel;
  }

  after(delayMs: number, task: () => void): () => void {
    return this.at(this.clock.now() + Math.max(0, delayMs), task);
  }

  /** Runs `task` every `intervalMs` (first run one interval from now) until cancelled. */
  every(intervalMs: number, task: () => void): () => void {
    let cancelled = false;
    let cancelNext: () => void = () => undefined;
    const schedule = (at: number) => {
      cancelNext = this.at(at, () => {
        if (cancelled) return;
        // the next tick is armed first, so a task that cancels the loop stops it for good
        schedule(at + intervalMs);
        task();
      });
    };
    schedule(this.clock.now() + intervalMs);
    return () => {
      cancelled = true;
      cancelNext();
    };
  }

  /** Cancels every pending timer (sandbox shutdown). */
  cancelAll(): void {
    for (const cancel of [...this.cancels]) cancel();
  }

  get pending(): number {
    return this.cancels.size;
  }

  private realTimer(time: number, run: () => void): () => void {
    // setTimeout caps delays at 2^31-1 ms; longer waits re-arm
    const MAX = 2_147_483_647;
    let handle: NodeJS.Timeout;
    const arm = () => {
      const delay = time - this.clock.now();
      if (delay > MAX) {
        handle = setTimeout(arm, MAX);
      } else {
        handle = setTimeout(run, Math.max(0, delay));
      }
      handle.unref?.();
    };
    arm();
    return () => clearTimeout(handle);
  }
}
