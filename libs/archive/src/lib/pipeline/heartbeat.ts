/** Interval timers, injectable so tests decide when a heartbeat beats. */
export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Node's timers, unref'd: a heartbeat never keeps a process alive by itself. */
export const realIntervals: IntervalTimers = {
  setInterval: (callback, ms) => {
    const handle = setInterval(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/**
 * Renews leases on wall-clock time while work goes on, whatever the work loop is waiting
 * for (a slow conversation, a rate-limit pause): beats never overlap, and a failing beat
 * is reported and retried at the next one rather than thrown.
 */
export class Heartbeat {
  private handle: unknown;
  private beating?: Promise<void>;

  constructor(
    private readonly timers: IntervalTimers,
    private readonly everyMs: number,
    private readonly beat: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): this {
    this.handle ??= this.timers.setInterval(() => void this.tick(), Math.max(1, Math.floor(this.everyMs)));
    return this;
  }

  /** One beat now (or the one in progress). */
  tick(): Promise<void> {
    this.beating ??= this.beat()
      .catch(this.onError)
      .finally(() => {
        this.beating = undefined;
      });
    return this.beating;
  }

  async stop(): Promise<void> {
    if (this.handle !== undefined) this.timers.clearInterval(this.handle);
    this.handle = undefined;
    await this.beating;
  }
}
