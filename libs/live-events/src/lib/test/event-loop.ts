/**
 * Waits for real I/O (sockets and HTTP on 127.0.0.1) until `condition` holds, yielding to
 * the event loop; it never sleeps. Fails after `realTimeoutMs` naming `what`.
 */
export async function until(condition: () => boolean, what: string, realTimeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + realTimeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Lets pending I/O and promise chains run for a number of event-loop turns. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A seeded PRNG (Lehmer), so workloads are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}
