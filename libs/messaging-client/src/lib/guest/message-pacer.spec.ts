import { FakeClock } from '@gcm/genesys-auth/testing';
import { MessagePacer } from './message-pacer';

describe('MessagePacer', () => {
  it('lets 20 requests through at most 2 per second, first in first out, by waiting', async () => {
    const clock = new FakeClock(0);
    const pacer = new MessagePacer({ clock, sleep: clock.sleep });
    const passed: Array<{ n: number; at: number }> = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => pacer.acquire().then(() => passed.push({ n, at: clock.now() }))),
    );
    expect(passed.map((p) => p.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    for (const { at } of passed) {
      expect(passed.filter((p) => p.at > at - 1000 && p.at <= at).length).toBeLessThanOrEqual(2);
    }
    expect(passed.map((p) => p.at)).toEqual([0, 0, 1000, 1000, 2000, 2000, 3000, 3000, 4000, 4000, 5000, 5000, 6000, 6000, 7000, 7000, 8000, 8000, 9000, 9000]);
    expect(pacer.queued).toBe(0);
  });

  it('does not wait when under the rate', async () => {
    const clock = new FakeClock(0);
    const pacer = new MessagePacer({ clock, sleep: clock.sleep });
    await pacer.acquire();
    clock.set(5000);
    await pacer.acquire();
    await pacer.acquire();
    expect(clock.sleeps).toEqual([]);
  });

  it('holds everyone until a server-requested pause ends', async () => {
    const clock = new FakeClock(0);
    const pacer = new MessagePacer({ clock, sleep: clock.sleep });
    pacer.pauseUntil(3000);
    await pacer.acquire();
    expect(clock.now()).toBe(3000);
  });

  it('an aborted waiter leaves the queue without blocking the ones behind it', async () => {
    const clock = new FakeClock(0, { autoAdvance: false });
    const pacer = new MessagePacer({ clock, sleep: clock.sleep });
    await pacer.acquire();
    await pacer.acquire();
    const controller = new AbortController();
    const aborted = pacer.acquire(controller.signal);
    const next = pacer.acquire();
    controller.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toThrow('caller gave up');
    await clock.advance(1000);
    await expect(next).resolves.toBeUndefined();
    expect(clock.now()).toBe(1000);
  });
});
