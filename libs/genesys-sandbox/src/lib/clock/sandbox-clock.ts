/**
 * Time as the sandbox sees it. Token expiry, rate-limit windows, analytics job progress and
 * the timestamps of new messages all read this clock, so a test can drive them with a
 * manual clock instead of sleeping.
 */
export interface SandboxClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: SandboxClock = { now: () => Date.now() };

/** Real time, shifted so that it reads `start` at the moment it is created. */
export function shiftedSystemClock(start: number, realNow: () => number = Date.now): SandboxClock {
  const offset = start - realNow();
  return { now: () => realNow() + offset };
}

interface ManualTimer {
  at: number;
  seq: number;
  task: () => void;
}

/**
 * A clock that only moves when told to. Timers set on it (heartbeats, agent replies,
 * webhook retries) fire inside `advance`, in time order, each with the clock reading its own
 * due time, like fake timers do: a reply due at t+1500 is stamped t+1500 even when the test
 * jumps a minute ahead.
 */
export class ManualClock implements SandboxClock {
  private current: number;
  private timers: ManualTimer[] = [];
  private seq = 0;
  private dueScheduled = false;

  constructor(start: number | Date | string) {
    this.current = toEpochMs(start);
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`ManualClock.advance needs a non-negative number of milliseconds, got ${ms}`);
    }
    const target = this.current + ms;
    this.runUntil(target);
    this.current = target;
  }

  set(to: number | Date | string): void {
    const target = toEpochMs(to);
    if (target > this.current) this.advance(target - this.current);
    else this.current = target;
  }

  /**
   * Runs `task` once the clock reads `at` or later; returns a cancel function. A timer that
   * is already due runs on the next turn of the event loop (the clock does not move).
   */
  schedule(at: number, task: () => void): () => void {
    const timer: ManualTimer = { at, seq: this.seq++, task };
    this.timers.push(timer);
    if (at <= this.current) this.runDueSoon();
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Timers not yet run. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  private runDueSoon(): void {
    if (this.dueScheduled) return;
    this.dueScheduled = true;
    setImmediate(() => {
      this.dueScheduled = false;
      this.runUntil(this.current);
    });
  }

  private runUntil(target: number): void {
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers) {
        if (timer.at > target) continue;
        if (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq)) next = timer;
      }
      if (!next) return;
      const due = next;
      this.timers = this.timers.filter((t) => t !== due);
      if (due.at > this.current) this.current = due.at;
      due.task();
    }
  }
}

export function isManualClock(clock: SandboxClock): clock is ManualClock {
  return clock instanceof ManualClock;
}

export function toEpochMs(value: number | Date | string): number {
  const ms = typeof value === 'number' ? value : new Date(value).getTime();
  if (!Number.isFinite(ms)) {
    throw new RangeError(`not a valid instant: ${String(value)} (use epoch ms, a Date or an ISO-8601 string)`);
  }
  return ms;
}

export function isoString(ms: number): string {
  return new Date(ms).toISOString();
}
