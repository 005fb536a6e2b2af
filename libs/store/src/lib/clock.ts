/**
 * Wall-clock time in epoch milliseconds. Injected wherever time decides behaviour (lease
 * expiry, backoff, rotation) so tests can move time instead of sleeping.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A source of uniform randoms in [0, 1), injected so jittered delays are reproducible. */
export type RandomSource = () => number;
