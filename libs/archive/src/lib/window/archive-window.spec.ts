import { ArchiveError, ArchiveErrorCode } from '../archive.error';
import { checkpointNames, nextScheduledWindow, parseArchiveWindow, queueNames, readWindowState } from './archive-window';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');

describe('nextScheduledWindow', () => {
  const limits = { settleDelayMs: 10 * MINUTE, maxWindowMs: 60 * MINUTE, minWindowMs: MINUTE };

  it('runs from the watermark to now minus the settle delay', () => {
    expect(nextScheduledWindow(T0, T0 + 40 * MINUTE, limits)).toEqual({ start: T0, end: T0 + 30 * MINUTE });
  });

  it('is at most maxWindowMs long, so a run that is behind works through several', () => {
    expect(nextScheduledWindow(T0, T0 + 24 * 60 * MINUTE, limits)).toEqual({ start: T0, end: T0 + 60 * MINUTE });
  });

  it('is not due while shorter than minWindowMs (or before the settle delay has passed)', () => {
    expect(nextScheduledWindow(T0, T0 + 10 * MINUTE + 59_999, limits)).toBeUndefined();
    expect(nextScheduledWindow(T0, T0 + 5 * MINUTE, limits)).toBeUndefined();
    expect(nextScheduledWindow(T0, T0 + 11 * MINUTE, limits)).toEqual({ start: T0, end: T0 + MINUTE });
  });
});

describe('parseArchiveWindow', () => {
  it('reads <start>/<end> in ISO-8601 and {start, end} as instants or epoch ms', () => {
    const expected = { start: T0, end: T0 + 86_400_000 };
    expect(parseArchiveWindow('2026-03-01T00:00:00Z/2026-03-02T00:00:00Z')).toEqual(expected);
    expect(parseArchiveWindow(' 2026-03-01T01:00:00+01:00 / 2026-03-02T00:00:00.000Z ')).toEqual(expected);
    expect(parseArchiveWindow({ start: T0, end: new Date(T0 + 86_400_000) })).toEqual(expected);
  });

  it.each([
    ['2026-03-01T00:00:00Z', 'is not two instants separated by "/"'],
    ['2026-03-01/2026-03-02', 'has an unreadable start'],
    ['2026-03-01T00:00:00Z/tomorrow', 'has an unreadable end'],
    ['2026-03-02T00:00:00Z/2026-03-01T00:00:00Z', 'ends before it starts'],
    ['2026-03-01T00:00:00Z/2026-03-01T00:00:00Z', 'ends before it starts'],
  ])('refuses %s: it %s, and shows the expected form', (input, problem) => {
    let error: unknown;
    try {
      parseArchiveWindow(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).code).toBe(ArchiveErrorCode.InvalidWindow);
    expect((error as Error).message).toContain(problem);
    expect((error as Error).message).toContain('2026-01-01T00:00:00Z/2026-01-02T00:00:00Z');
  });
});

describe('names and stored state', () => {
  const window = { start: T0, end: T0 + 15 * MINUTE };

  it('names scheduled queues by their window and gives each backfill of a window its own queue', () => {
    expect(queueNames.scheduled('archive', window)).toBe('archive:2026-03-01T00:00:00.000Z/2026-03-01T00:15:00.000Z');
    expect(queueNames.backfill('archive', window, 2)).toBe('archive:backfill:2026-03-01T00:00:00.000Z/2026-03-01T00:15:00.000Z#2');
    expect(checkpointNames.lease('archive')).toBe('archive:lease');
    expect(checkpointNames.backfill('archive', window)).toBe('archive:backfill:2026-03-01T00:00:00.000Z/2026-03-01T00:15:00.000Z');
  });

  it('reads what it wrote, nothing when nothing is stored, and refuses a state it cannot read', () => {
    const state = { v: 1, kind: 'scheduled', ...window, queue: 'q', searchDone: false, searchToken: 't' } as const;
    expect(readWindowState(state, 'archive')).toEqual(state);
    expect(readWindowState(null, 'archive')).toBeUndefined();
    expect(() => readWindowState({ v: 2, start: 1 }, 'archive')).toThrow(/Checkpoint archive holds a window state this version cannot read/);
  });
});
