/**
 * A wake-up signal between concurrent loops: `wait()` resolves at the next `fire()`.
 * Every waiter of one round shares one promise, so waiting in a loop never piles up
 * callbacks.
 */
export class Pulse {
  private round = this.newRound();

  wait(): Promise<void> {
    return this.round.promise;
  }

  fire(): void {
    const { resolve } = this.round;
    this.round = this.newRound();
    resolve();
  }

  private newRound(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }
}

/** Resolves (never rejects) when the signal aborts. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
