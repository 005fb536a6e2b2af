import { createGenesysConnection, type Clock, type GenesysTransport, type Sleep } from '@gcm/genesys-auth';
import { ManualClock, startSandbox, type RunningSandbox, type SandboxOptions } from '@gcm/genesys-sandbox';
import { MessagingClient } from '../../rest/messaging-client.service';

/**
 * Client time on the sandbox's ManualClock: `now` reads it and `sleep` is a timer on it, so
 * the sandbox (heartbeats, closing notices, expiry) and the manager (watchdog, backoff,
 * rollover) share one clock that only moves when the test advances it.
 */
export function manualTime(clock: ManualClock): { clock: Clock; sleep: Sleep } {
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = clock.schedule(clock.now() + Math.max(0, ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  return { clock: { now: () => clock.now() }, sleep };
}

export interface NotificationsWorld {
  sandbox: RunningSandbox;
  clock: ManualClock;
  time: { clock: Clock; sleep: Sleep };
  transport: GenesysTransport;
  messaging: MessagingClient;
  close(): Promise<void>;
}

export const WORLD_NOW = '2026-03-01T12:00:00.000Z';

export async function startNotificationsWorld(options: SandboxOptions = {}): Promise<NotificationsWorld> {
  const clock = new ManualClock(WORLD_NOW);
  const sandbox = await startSandbox({ seed: 11, conversations: 200, days: 10, now: WORLD_NOW, clock, ...options });
  const time = manualTime(clock);
  let seed = 3;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const { transport } = createGenesysConnection({
    apiBaseUrl: sandbox.apiBaseUrl,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    transport: { clock: time.clock, sleep: time.sleep, random },
  });
  const messaging = new MessagingClient({ transport, clock: time.clock });
  return { sandbox, clock, time, transport, messaging, close: () => sandbox.close() };
}

/**
 * Waits for real I/O (sockets, HTTP on 127.0.0.1) until `condition` holds, yielding to the
 * event loop; never sleeps. Fails after `realTimeoutMs` with `what` in the message.
 */
export async function until(condition: () => boolean, what: string, realTimeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + realTimeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Lets pending I/O and microtasks run for a number of event-loop turns. */
export async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Moves the clock forward in steps, letting the sockets deliver what each step produced
 * (heartbeats, notices) before the next: time as it passes for real, without waiting for it.
 */
export async function advanceInSteps(clock: ManualClock, totalMs: number, stepMs = 10_000): Promise<void> {
  for (let done = 0; done < totalMs; ) {
    const step = Math.min(stepMs, totalMs - done);
    clock.advance(step);
    done += step;
    await settle(20);
  }
}
