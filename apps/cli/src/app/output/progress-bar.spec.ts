import { ProgressBar } from './progress-bar';
import type { TerminalStream } from './terminal';

function terminal(columns = 60): TerminalStream & { text: () => string } {
  let text = '';
  return {
    isTTY: true,
    columns,
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
    once: () => undefined,
    removeListener: () => undefined,
    text: () => text,
  };
}

describe('ProgressBar', () => {
  it('draws a bar with percent and counts when the total is known, rewriting one line', () => {
    const stream = terminal();
    let now = 0;
    const bar = new ProgressBar(stream, { label: 'archive', enabled: true, now: () => now });
    bar.update({ done: 45, total: 180, detail: '3 parked' });
    now = 200;
    bar.update({ done: 180, total: 180 });
    const frames = stream.text().split('\r\x1b[2K').filter(Boolean);
    expect(frames[0]).toMatch(/^archive \[#+-+\] {2}25% {2}45\/180 {2}3 parked$/);
    expect(frames[1]).toMatch(/^archive \[#+\] 100% {2}180\/180$/);
    for (const frame of frames) expect(frame.length).toBeLessThanOrEqual(59);
  });

  it('shows a spinner and the count when the total is unknown, and redraws at most every 100 ms', () => {
    const stream = terminal();
    let now = 1_000;
    const bar = new ProgressBar(stream, { label: 'search', enabled: true, now: () => now });
    bar.update({ done: 1 });
    now += 50;
    bar.update({ done: 2 });
    now += 60;
    bar.update({ done: 1_234 });
    const frames = stream.text().split('\r\x1b[2K').filter(Boolean);
    expect(frames).toEqual(['search | 1', 'search / 1,234']);
  });

  it('writes nothing at all when disabled (stderr is not a terminal, or --quiet)', () => {
    const stream = terminal();
    const bar = new ProgressBar(stream, { label: 'search', enabled: false });
    bar.update({ done: 5, total: 10 });
    bar.clear();
    bar.finish({ done: 10, total: 10 });
    expect(stream.text()).toBe('');
  });

  it('clears its line before other output, and finish leaves the final state on its own line', () => {
    const stream = terminal();
    const bar = new ProgressBar(stream, { label: 'verify', enabled: true });
    bar.update({ done: 1, total: 2 });
    bar.clear();
    expect(stream.text().endsWith('\r\x1b[2K')).toBe(true);
    bar.finish({ done: 2, total: 2 });
    expect(stream.text()).toMatch(/verify \[#+\] 100% {2}2\/2\n$/);
  });
});
