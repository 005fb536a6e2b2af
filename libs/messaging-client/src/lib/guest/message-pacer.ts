import { realSleep, systemClock, type Clock, type Sleep } from '@gcm/genesys-auth';

export interface MessagePacerOptions {
  /** Requests allowed in any window (default 2: the guest API's 2 messages per second). */
  maxPerWindow?: number;
  windowMs?: number;
  clock?: Clock;
  sleep?: Sleep;
}

/**
 * Keeps a guest session under its request rate by queueing, never by failing: callers
 * `acquire()` a slot and are let through first-in first-out, at most `maxPerWindow` in any
 * sliding window of `windowMs`. A TooManyRequests answer from the server pauses everyone
 * with `pauseUntil`.
 */
export class MessagePacer {
  readonly maxPerWindow: number;
  readonly windowMs: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly sent: number[] = [];
  private tail: Promise<void> = Promise.resolve();
  private pausedUntil = 0;
  private waiting = 0;

  constructor(options: MessagePacerOptions = {}) {
    this.maxPerWindow = options.maxPerWindow ?? 2;
    this.windowMs = options.windowMs ?? 1000;
    if (!Number.isInteger(this.maxPerWindow) || this.maxPerWindow < 1) {
      throw new RangeError(`maxPerWindow must be an integer ≥ 1, got ${this.maxPerWindow}`);
    }
    if (!(this.windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${this.windowMs}`);
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.waiting;
  }

  /** Resolves when the caller may send; FIFO across callers. */
  acquire(signal?: AbortSignal): Promise<void> {
    this.waiting++;
    const turn = this.tail.then(() => this.waitForSlot(signal));
    // one caller's abort must not stall the ones queued behind it
    this.tail = turn.catch(() => undefined);
    return turn.finally(() => this.waiting--);
  }

  /** Nobody is let through before `epochMs` (the server asked us to back off). */
  pauseUntil(epochMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, epochMs);
  }

  private async waitForSlot(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      while (this.sent.length > 0 && now - this.sent[0] >= this.windowMs) this.sent.shift();
      const windowWait = this.sent.length < this.maxPerWindow ? 0 : this.sent[0] + this.windowMs - now;
      const wait = Math.max(windowWait, this.pausedUntil - now);
      if (wait <= 0) {
        this.sent.push(now);
        return;
      }
      await this.sleep(wait, signal);
    }
  }
}
