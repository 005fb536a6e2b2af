import type { Clock, Sleep } from '../lib/clock';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

/**
 * A clock whose time only moves when the code under test sleeps (auto-advance, the
 * default) or when the test calls `advance`. Sleeps resolve in the order of their wake
 * times, so concurrent waiters see time the way real timers would, without waiting.
 */
export class FakeClock implements Clock {
  /** Every delay passed to `sleep`, in call order. */
  readonly sleeps: number[] = [];
  private time: number;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private draining = false;

  constructor(
    start: number | string = '2026-01-01T00:00:00.000Z',
    private readonly options: { autoAdvance?: boolean } = {},
  ) {
    this.time = typeof start === 'string' ? Date.parse(start) : start;
  }

  now(): number {
    return this.time;
  }

  /** Jumps forward without firing timers (e.g. to age a cached token). */
  set(time: number | string): void {
    this.time = typeof time === 'string' ? Date.parse(time) : time;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  readonly sleep: Sleep = (ms, signal) => {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, resolve, reject };
      this.timers.push(timer);
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.timers.indexOf(timer);
          if (index >= 0) this.timers.splice(index, 1);
          reject(signal.reason);
        },
        { once: true },
      );
      if (this.options.autoAdvance ?? true) this.scheduleDrain();
    });
  };

  /** Manual mode: moves time forward by `ms`, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (let timer = this.timers[0]; timer && timer.at <= target; timer = this.timers[0]) {
      this.timers.shift();
      this.time = Math.max(this.time, timer.at);
      timer.resolve();
      await flush();
    }
    this.time = Math.max(this.time, target);
    await flush();
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      const timer = this.timers.shift();
      if (!timer) return;
      this.time = Math.max(this.time, timer.at);
      timer.resolve();
      if (this.timers.length > 0) this.scheduleDrain();
    });
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
