import { InterruptedError } from './cli.error';

export type SignalName = 'SIGINT' | 'SIGTERM';

/**
 * Ctrl-C, the gcm way: the first SIGINT (or SIGTERM) aborts `signal`, and the running
 * command stops cleanly — it finishes the record it is writing, hands work back, and
 * prints how to resume. A second one means "now": `forceExit` ends the process at once.
 */
export class Interrupts {
  private readonly controller = new AbortController();
  private count = 0;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly forceExit: (signal: SignalName) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Called by the process for each SIGINT / SIGTERM. */
  receive(signal: SignalName): void {
    // one Ctrl-C can arrive twice, from the terminal and relayed by a wrapper (npx, npm
    // exec): a repeat within a second is the same keypress, not the second one
    const now = this.now();
    if (now - this.lastAt < 1_000) return;
    this.lastAt = now;
    this.count++;
    if (this.count === 1) {
      this.controller.abort(new InterruptedError(`Interrupted (${signal})`));
      return;
    }
    this.forceExit(signal);
  }

  /** Resolves when interrupted; for racing a wait that has no AbortSignal of its own. */
  whenInterrupted(): Promise<void> {
    if (this.interrupted) return Promise.resolve();
    return new Promise((resolve) => this.controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  }
}
