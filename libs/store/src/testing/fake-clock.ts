import type { Clock } from '../lib/clock';

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: number | Date = Date.UTC(2024, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): number {
    this.current += ms;
    return this.current;
  }

  set(to: number | Date): void {
    this.current = typeof to === 'number' ? to : to.getTime();
  }
}

/** A deterministic random source: the given values in a loop. */
export function sequenceRandom(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length];
}
