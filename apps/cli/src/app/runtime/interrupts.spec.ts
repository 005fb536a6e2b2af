import { InterruptedError } from './cli.error';
import { Interrupts } from './interrupts';

describe('Interrupts', () => {
  it('the first Ctrl-C aborts the signal so the command stops cleanly; a second one forces the exit', () => {
    let now = 0;
    const forced: string[] = [];
    const interrupts = new Interrupts((signal) => forced.push(signal), () => now);
    interrupts.receive('SIGINT');
    expect(interrupts.interrupted).toBe(true);
    expect(interrupts.signal.reason).toBeInstanceOf(InterruptedError);
    expect(forced).toEqual([]);
    now += 2_000;
    interrupts.receive('SIGINT');
    expect(forced).toEqual(['SIGINT']);
  });

  it('treats the same keypress relayed by a wrapper (within a second) as one', () => {
    let now = 0;
    const forced: string[] = [];
    const interrupts = new Interrupts((signal) => forced.push(signal), () => now);
    interrupts.receive('SIGINT');
    now += 5;
    interrupts.receive('SIGINT');
    expect(forced).toEqual([]);
  });
});
