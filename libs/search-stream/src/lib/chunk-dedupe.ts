import { SearchStreamError, SearchStreamErrorCode } from './search-stream.error';

/** A set that remembers at most `capacity` ids, forgetting the oldest first. */
export class RecentIdSet {
  private readonly ids = new Set<string>();
  private evictions = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer ≥ 1, got ${capacity}`);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
      this.evictions++;
    }
  }

  get size(): number {
    return this.ids.size;
  }

  /** True when nothing was ever forgotten, i.e. the set holds every id added. */
  get complete(): boolean {
    return this.evictions === 0;
  }

  /** The `n` most recent ids, oldest first. */
  latest(n: number): string[] {
    const all = [...this.ids];
    return n >= all.length ? all : all.slice(all.length - n);
  }
}

/** What a resume token carries about the chunk in progress. */
export interface ChunkDedupeSnapshot {
  /** Results yielded from this chunk so far. */
  yielded: number;
  /** conversationStart (epoch ms) of the latest-starting result yielded from this chunk. */
  last?: number;
  /** Ids yielded with exactly that start. */
  atLast: string[];
  /** Whether results arrived in conversationStart order, as the search requests. */
  ordered: boolean;
  /** The most recently yielded ids, oldest first. */
  recent: string[];
}

/**
 * De-duplication inside one chunk, in bounded memory.
 *
 * - Page drift (a result shifting onto the next page while paging by number) repeats a
 *   result a few positions later: a bounded set of the most recent ids catches it.
 * - A chunk replayed from its start (its analytics job expired and was resubmitted, or
 *   a resumed process found the job gone) must skip everything yielded before. When
 *   the recent set still holds every id of the chunk, that is exact. Otherwise the
 *   results arrived in conversationStart order (the search asks for `order: asc`,
 *   `orderBy: conversationStart`, and this class checks it), so everything before the
 *   watermark — the start of the last result yielded, plus the ids yielded at exactly
 *   that instant — was yielded already. If neither holds the stream stops with
 *   RESUME_NOT_EXACT rather than repeat itself.
 */
export class ChunkDedupe {
  private readonly recent: RecentIdSet;
  private yielded = 0;
  private last?: number;
  private atLast = new Set<string>();
  private ordered = true;
  private replay?: { last: number; atLast: Set<string> };
  /** The snapshot restored from a token knew fewer ids than were yielded. */
  private restoredIncomplete = false;

  constructor(capacity: number) {
    this.recent = new RecentIdSet(capacity);
  }

  static restore(snapshot: ChunkDedupeSnapshot, capacity: number): ChunkDedupe {
    const dedupe = new ChunkDedupe(capacity);
    for (const id of snapshot.recent) dedupe.recent.add(id);
    dedupe.yielded = snapshot.yielded;
    dedupe.last = snapshot.last;
    dedupe.atLast = new Set(snapshot.atLast);
    dedupe.ordered = snapshot.ordered;
    dedupe.restoredIncomplete = snapshot.yielded > snapshot.recent.length;
    return dedupe;
  }

  get yieldedCount(): number {
    return this.yielded;
  }

  /** True when this conversation was yielded from this chunk already. */
  seen(id: string, startMs: number): boolean {
    if (this.recent.has(id)) return true;
    if (this.replay) {
      if (startMs < this.replay.last) return true;
      if (startMs === this.replay.last && this.replay.atLast.has(id)) return true;
    }
    return false;
  }

  record(id: string, startMs: number): void {
    this.recent.add(id);
    this.yielded++;
    if (this.last === undefined || startMs > this.last) {
      this.last = startMs;
      this.atLast = new Set([id]);
    } else if (startMs === this.last) {
      this.atLast.add(id);
    } else {
      this.ordered = false;
    }
  }

  /**
   * The chunk's results start over (a new job). Throws RESUME_NOT_EXACT when the
   * results yielded so far can be neither remembered nor bounded by the watermark.
   */
  beginReplay(context: string): void {
    if (this.yielded === 0) return;
    const remembersAll = this.recent.complete && !this.restoredIncomplete;
    if (remembersAll) return;
    if (this.ordered && this.last !== undefined) {
      this.replay = { last: this.last, atLast: new Set(this.atLast) };
      return;
    }
    throw new SearchStreamError(
      SearchStreamErrorCode.ResumeNotExact,
      `${context}: ${this.yielded} results of this chunk were already yielded, more than the ` +
        `${this.recent.capacity} ids remembered, and Genesys returned them out of conversationStart order, ` +
        'so continuing could repeat results. Use smaller chunks (chunkMs) or a larger dedupeWindow.',
    );
  }

  snapshot(recentIds: number): ChunkDedupeSnapshot {
    return {
      yielded: this.yielded,
      ...(this.last !== undefined ? { last: this.last } : {}),
      atLast: [...this.atLast],
      ordered: this.ordered,
      recent: this.recent.latest(recentIds),
    };
  }
}
