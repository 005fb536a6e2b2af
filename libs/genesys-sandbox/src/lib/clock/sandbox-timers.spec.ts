import { ManualClock } from './sandbox-clock';
import { SandboxTimers } from './sandbox-timers';

describe('timers on the sandbox clock', () => {
  it('fires ManualClock timers inside advance, in time order, each seeing its own due time', () => {
    const clock = new ManualClock('2025-03-01T12:00:00Z');
    const timers = new SandboxTimers(clock);
    const start = clock.now();
    const seen: Array<[string, number]> = [];
    timers.after(300, () => seen.push(['b', clock.now() - start]));
    timers.after(100, () => {
      seen.push(['a', clock.now() - start]);
      timers.after(50, () => seen.push(['a+50', clock.now() - start]));
    });
    const cancel = timers.after(200, () => seen.push(['cancelled', clock.now() - start]));
    cancel();
    clock.advance(99);
    expect(seen).toEqual([]);
    clock.advance(1000);
    expect(seen).toEqual([
      ['a', 100],
      ['a+50', 150],
      ['b', 300],
    ]);
    expect(clock.now() - start).toBe(1099);
    expect(timers.pending).toBe(0);
  });

  it('repeats `every` interval and stops when cancelled; cancelAll clears everything', () => {
    const clock = new ManualClock(0);
    const timers = new SandboxTimers(clock);
    const ticks: number[] = [];
    const stop = timers.every(30, () => ticks.push(clock.now()));
    clock.advance(100);
    expect(ticks).toEqual([30, 60, 90]);
    stop();
    clock.advance(100);
    expect(ticks).toEqual([30, 60, 90]);
    timers.after(10, () => ticks.push(-1));
    timers.every(5, () => ticks.push(-2));
    timers.cancelAll();
    clock.advance(100);
    expect(ticks).toEqual([30, 60, 90]);
  });

  it('runs a timer that is already due on the next turn of the event loop, and reports a failing task', async () => {
    const clock = new ManualClock(0);
    const errors: unknown[] = [];
    const timers = new SandboxTimers(clock, (error) => errors.push(error));
    let ran = false;
    timers.after(0, () => {
      ran = true;
      throw new Error('boom');
    });
    expect(ran).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toBe(true);
    expect(errors).toEqual([new Error('boom')]);
    expect(clock.now()).toBe(0);
  });

  it('ManualClock.set forward fires the timers it passes', () => {
    const clock = new ManualClock(0);
    const timers = new SandboxTimers(clock);
    const fired: number[] = [];
    timers.at(500, () => fired.push(clock.now()));
    clock.set(1000);
    expect(fired).toEqual([500]);
    expect(clock.now()).toBe(1000);
  });
});
