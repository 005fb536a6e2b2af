import { ArchiveError, ArchiveErrorCode } from '../archive.error';
import type { ArchiveRunKind } from '../archive-run-summary';

/** An interval of conversation time in epoch ms; the end is exclusive. */
export interface ArchiveWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * The window a run is working on, saved in a checkpoint so that any process can continue
 * it: which queue holds its conversations, and how far the search got.
 */
export interface WindowState extends ArchiveWindow {
  readonly v: 1;
  readonly kind: ArchiveRunKind;
  readonly queue: string;
  /** The search-stream resume token after the last enqueued batch; absent before the first. */
  readonly searchToken?: string;
  /** Every conversation of the window is enqueued. */
  readonly searchDone: boolean;
  /** Backfills: the how-many-th backfill of this exact window (each gets a fresh queue). */
  readonly generation?: number;
  /** Backfills: set once the window is complete (a scheduled window's state is cleared instead). */
  readonly completed?: boolean;
  /** Backfills: set with `completed` when the window was dropped unfinished (a restarted request). */
  readonly closed?: boolean;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

export function describeWindow(window: ArchiveWindow): string {
  return `${iso(window.start)}/${iso(window.end)}`;
}

/** Checkpoint names. */
export const checkpointNames = {
  /** watermark + the scheduled window in progress */
  scheduled: (jobName: string) => jobName,
  /** the run lease replicas compete for */
  lease: (jobName: string) => `${jobName}:lease`,
  /** one per backfilled window: the backfill in progress, or the last one done */
  backfill: (jobName: string, window: ArchiveWindow) => `${jobName}:backfill:${describeWindow(window)}`,
  /** a named backfill request (e.g. a relative `--from 8d`) and the window it resolved to */
  request: (jobName: string, key: string) => `${jobName}:request:${key}`,
};

/** Reads the window a named request resolved to; undefined when none (or unreadable). */
export function readRequestWindow(stored: unknown): ArchiveWindow | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const { start, end } = stored as Partial<ArchiveWindow>;
  return Number.isFinite(start) && Number.isFinite(end) && (end as number) > (start as number) ? { start: start as number, end: end as number } : undefined;
}

/**
 * Work queue names. Scheduled windows partition time, so the window names its queue; a
 * backfill may repeat a window, so each repetition gets its own queue (and re-archives,
 * writing only what changed).
 */
export const queueNames = {
  scheduled: (jobName: string, window: ArchiveWindow) => `${jobName}:${describeWindow(window)}`,
  backfill: (jobName: string, window: ArchiveWindow, generation: number) =>
    `${jobName}:backfill:${describeWindow(window)}#${generation}`,
};

/**
 * The next scheduled window: from the watermark to now minus the settle delay, at most
 * `maxWindowMs` long. Undefined while it would be shorter than `minWindowMs`.
 */
export function nextScheduledWindow(
  watermark: number,
  now: number,
  limits: { settleDelayMs: number; maxWindowMs: number; minWindowMs: number },
): ArchiveWindow | undefined {
  const end = Math.min(now - limits.settleDelayMs, watermark + limits.maxWindowMs);
  return end - watermark >= limits.minWindowMs ? { start: watermark, end } : undefined;
}

/** Reads a stored window state; undefined when none is stored. */
export function readWindowState(stored: unknown, checkpoint: string): WindowState | undefined {
  if (stored === null || stored === undefined) return undefined;
  const state = stored as Partial<WindowState>;
  const ok =
    typeof state === 'object' &&
    state.v === 1 &&
    (state.kind === 'scheduled' || state.kind === 'backfill') &&
    Number.isFinite(state.start) &&
    Number.isFinite(state.end) &&
    typeof state.queue === 'string' &&
    typeof state.searchDone === 'boolean' &&
    (state.searchToken === undefined || typeof state.searchToken === 'string');
  if (!ok) {
    throw new ArchiveError(
      ArchiveErrorCode.InvalidState,
      `Checkpoint ${checkpoint} holds a window state this version cannot read: ${JSON.stringify(stored).slice(0, 200)}. ` +
        'Run the version that wrote it to finish the window, or delete the checkpoint to start the window again.',
    );
  }
  return state as WindowState;
}

/**
 * Parses a backfill window: `"<start>/<end>"` (ISO-8601 instants) or `{start, end}` as
 * instants or epoch ms. The end is exclusive and must be after the start.
 */
export function parseArchiveWindow(input: string | { start: number | string | Date; end: number | string | Date }): ArchiveWindow {
  const fail = (problem: string): never => {
    throw new ArchiveError(
      ArchiveErrorCode.InvalidWindow,
      `Backfill window ${JSON.stringify(input)} ${problem}. Write it as <start>/<end> in ISO-8601, e.g. 2026-01-01T00:00:00Z/2026-01-02T00:00:00Z.`,
    );
  };
  let start: number | string | Date;
  let end: number | string | Date;
  if (typeof input === 'string') {
    const parts = input.split('/');
    if (parts.length !== 2) fail('is not two instants separated by "/"');
    [start, end] = parts.map((part) => part.trim());
  } else if (input && typeof input === 'object') {
    ({ start, end } = input);
  } else {
    return fail('is neither a string nor {start, end}');
  }
  const toMs = (value: number | string | Date, which: string): number => {
    const ms =
      typeof value === 'number'
        ? value
        : value instanceof Date
          ? value.getTime()
          : /(Z|[+-]\d\d:?\d\d)$/i.test(value)
            ? Date.parse(value)
            : NaN;
    if (!Number.isFinite(ms)) fail(`has an unreadable ${which} (use an ISO-8601 instant with a zone, e.g. Z)`);
    return ms;
  };
  const window = { start: toMs(start, 'start'), end: toMs(end, 'end') };
  if (window.end <= window.start) fail('ends before it starts');
  return window;
}
