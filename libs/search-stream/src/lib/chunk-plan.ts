import { SearchCriteriaError } from './search-stream.error';

export const DAY_MS = 86_400_000;

/**
 * Which conversations belong to a window [start, end):
 * - `started`: conversationStart lies in the window. Consecutive windows partition the
 *   conversations, so every conversation is found by exactly one of them.
 * - `activity`: the conversation overlaps the window (started before its end and had
 *   not ended at its start), which is what the analytics details jobs match.
 */
export type MatchRule = 'started' | 'activity';

export interface Chunk {
  index: number;
  startMs: number;
  endMs: number;
}

/**
 * A window cut into chunks at multiples of `chunkMs` since the epoch (so at UTC
 * midnights when `chunkMs` divides a day), and the ownership rule: each conversation
 * is OWNED by exactly one chunk, the one containing its conversationStart, clamped to
 * the window. A chunk's query finds conversations that other chunks own too (a
 * conversation spanning chunks, a day-wide sync query); those are dropped by this
 * rule, not remembered, so the memory this costs does not grow with the result count.
 */
export class ChunkPlan {
  readonly count: number;
  private readonly firstBoundary: number;

  constructor(
    readonly startMs: number,
    readonly endMs: number,
    readonly chunkMs: number,
    readonly match: MatchRule,
  ) {
    validateChunkMs(chunkMs);
    if (!(endMs > startMs)) throw new SearchCriteriaError('interval.end', 'must be after the start');
    this.firstBoundary = (Math.floor(startMs / chunkMs) + 1) * chunkMs;
    this.count = this.firstBoundary >= endMs ? 1 : 1 + Math.ceil((endMs - this.firstBoundary) / chunkMs);
  }

  chunk(index: number): Chunk {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`chunk index ${index} is outside 0..${this.count - 1}`);
    }
    const startMs = index === 0 ? this.startMs : this.firstBoundary + (index - 1) * this.chunkMs;
    const endMs = Math.min(this.endMs, this.firstBoundary + index * this.chunkMs);
    return { index, startMs, endMs };
  }

  /** The chunk that owns a conversation starting at `conversationStartMs`, or undefined when none does. */
  owner(conversationStartMs: number): number | undefined {
    if (conversationStartMs >= this.endMs) return undefined;
    if (conversationStartMs < this.startMs) return this.match === 'activity' ? 0 : undefined;
    if (conversationStartMs < this.firstBoundary) return 0;
    return 1 + Math.floor((conversationStartMs - this.firstBoundary) / this.chunkMs);
  }
}

export function validateChunkMs(chunkMs: number, field = 'chunkMs'): void {
  if (!Number.isInteger(chunkMs) || chunkMs < 60_000) {
    throw new SearchCriteriaError(field, `must be a whole number of milliseconds ≥ 60000 (1 minute), got ${chunkMs}`);
  }
  // Genesys matches by UTC day ("started on a day touched by the interval"), so chunks
  // must not straddle a midnight unless they cover whole days.
  if (DAY_MS % chunkMs !== 0 && chunkMs % DAY_MS !== 0) {
    throw new SearchCriteriaError(field, `must divide one day (86400000 ms) or be a whole number of days, got ${chunkMs}`);
  }
}
