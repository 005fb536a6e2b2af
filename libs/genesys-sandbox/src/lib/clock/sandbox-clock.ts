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

/** A clock that only moves when told to. */
export class ManualClock implements SandboxClock {
  private current: number;

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
    this.current += ms;
  }

  set(to: number | Date | string): void {
    this.current = toEpochMs(to);
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
