import type { Sleep } from '@gcm/genesys-auth';

/**
 * A sleep for fake-clock tests of a client and a server that share the clock: before the
 * clock may move, every request the client has in flight must have been answered. So fake
 * time never passes while a frame is on the wire, and a server reading the same clock sees
 * each frame at the fake instant it was sent. It waits for real I/O, never for real time
 * (a generous real-time guard only turns a hang into a failure).
 */
export function settledSleep(sleep: Sleep, inFlight: () => number, guardMs = 10_000): Sleep {
  return async (ms, signal) => {
    const started = Date.now();
    // let queued microtasks send their frames first
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (inFlight() > 0) {
      if (Date.now() - started > guardMs) throw new Error(`settledSleep: ${inFlight()} request(s) still unanswered after ${guardMs} ms of real time`);
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
    return sleep(ms, signal);
  };
}
