import type { GenesysLogger } from '@gcm/genesys-auth';
import type { Observable } from 'rxjs';
import { ChunkDedupe } from './chunk-dedupe';
import type { ChunkPlan } from './chunk-plan';
import type { ConversationSummary } from './conversation-summary';
import { prefetchOne } from './paginate';
import { toObservable } from './observable.adapter';
import { encodeResumeToken, type PagePosition, type ResumeState, type SearchSourceKind } from './resume-token';
import { iso } from './search-criteria';
import { SearchAbortedError, SearchCriteriaError, SearchStreamError, SearchStreamErrorCode } from './search-stream.error';
import type { ChunkSource } from './sources/search-source';

/** Where a search stands, for progress bars. */
export interface SearchProgress {
  source: SearchSourceKind;
  /** Chunk being read (0-based) and how many the window was cut into. */
  chunkIndex: number;
  chunkCount: number;
  chunkStart: string;
  chunkEnd: string;
  /** Pages received in this run. */
  pages: number;
  /** Results yielded so far, earlier runs (before a resume) included. */
  results: number;
  /** Rows skipped because another chunk owns them (a spanning conversation, a day-wide query). */
  skippedNotOwned: number;
  /** Rows skipped because they were yielded already (page drift, a replayed job). */
  skippedDuplicates: number;
  /**
   * Best guess at the total, when Genesys gives one (the details query's `totalHits`,
   * which counts whole UTC days, so it overestimates partial days). Undefined for jobs.
   */
  estimatedTotal?: number;
  done: boolean;
}

export interface StreamSetup {
  plan: ChunkPlan;
  source: ChunkSource;
  fingerprint: string;
  dedupeWindow: number;
  /** Recent ids a resume token carries (guards against page drift across a restart). */
  tokenRecentIds: number;
  logger: GenesysLogger;
  resumeFrom?: ResumeState;
  maxResults?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SearchProgress) => void;
  /** Finished chunks' jobs wait for `releaseFinishedJobs()` (see SearchRunOptions). */
  deferJobCleanup?: boolean;
}

interface StreamState {
  chunk: number;
  at?: PagePosition;
  offset: number;
  dedupe?: ChunkDedupe;
  results: number;
}

/**
 * The conversations of a search, each exactly once, as an `AsyncIterable`. Iterate it
 * once; take `resumeToken()` at any point (typically after the loop, or in a `finally`)
 * to continue later, in this process or another.
 */
export class ConversationSearchStream implements AsyncIterable<ConversationSummary> {
  private readonly state: StreamState;
  private iterated = false;
  private pages = 0;
  private skippedNotOwned = 0;
  private skippedDuplicates = 0;
  private readonly chunkTotals = new Map<number, number>();
  private resultsAtChunkStart: number;
  private activeJob?: string;
  private readonly finishedJobs: string[] = [];

  constructor(private readonly setup: StreamSetup) {
    const resume = setup.resumeFrom;
    this.state = resume
      ? {
          chunk: resume.chunk,
          at: resume.at,
          offset: resume.offset,
          dedupe: resume.own ? ChunkDedupe.restore(resume.own, setup.dedupeWindow) : undefined,
          results: resume.results,
        }
      : { chunk: 0, offset: 0, results: 0 };
    this.resultsAtChunkStart = this.state.results - (resume?.own?.yielded ?? 0);
    if (setup.maxResults !== undefined && !(Number.isInteger(setup.maxResults) && setup.maxResults >= 1)) {
      throw new SearchCriteriaError('maxResults', `must be a whole number ≥ 1, got ${setup.maxResults}`);
    }
  }

  /** Results yielded so far, earlier runs included. */
  get results(): number {
    return this.state.results;
  }

  /** True once every chunk was read to the end. */
  get done(): boolean {
    return this.state.chunk >= this.setup.plan.count;
  }

  /**
   * An opaque base64url string that continues this search after the last result handed
   * out, without repeating any. Pass it as `resumeFrom` with the same criteria.
   */
  resumeToken(): string {
    const { plan, source, fingerprint, tokenRecentIds } = this.setup;
    const state: ResumeState = {
      v: 1,
      kind: 'gcm.search-stream',
      fp: fingerprint,
      src: source.kind,
      window: [iso(plan.startMs), iso(plan.endMs)],
      chunk: this.state.chunk,
      chunks: plan.count,
      ...(this.state.chunk < plan.count ? { span: spanOf(plan, this.state.chunk) } : {}),
      ...(this.state.at ? { at: this.state.at } : {}),
      offset: this.state.offset,
      ...(this.state.dedupe ? { own: this.state.dedupe.snapshot(tokenRecentIds) } : {}),
      results: this.state.results,
    };
    return encodeResumeToken(state);
  }

  [Symbol.asyncIterator](): AsyncIterator<ConversationSummary> {
    if (this.iterated) {
      throw new SearchStreamError(
        // iterating twice would silently continue where the first loop stopped
        SearchStreamErrorCode.AlreadyIterated,
        'A ConversationSearchStream can be iterated once; to continue, start a new search with resumeFrom: stream.resumeToken().',
      );
    }
    this.iterated = true;
    return this.run();
  }

  /** The same results as an rxjs Observable (unsubscribing stops the search). */
  toObservable(): Observable<ConversationSummary> {
    return toObservable(this);
  }

  /** Collects at most `limit` results; the limit is required so nobody loads a million by accident. */
  async toArray(options: { limit: number }): Promise<ConversationSummary[]> {
    if (!options || !Number.isInteger(options.limit) || options.limit < 1) {
      throw new SearchCriteriaError('limit', 'toArray needs { limit } ≥ 1');
    }
    const out: ConversationSummary[] = [];
    for await (const summary of this) {
      out.push(summary);
      if (out.length >= options.limit) break;
    }
    return out;
  }

  private async *run(): AsyncGenerator<ConversationSummary> {
    const { plan, source, signal, maxResults } = this.setup;
    const onAbort = () => {
      // cancel at once, even while the consumer is busy elsewhere
      void this.cancelJobs();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let yieldedThisRun = 0;
    try {
      this.throwIfAborted();
      while (this.state.chunk < plan.count) {
        const chunk = plan.chunk(this.state.chunk);
        const dedupe = (this.state.dedupe ??= new ChunkDedupe(this.setup.dedupeWindow));
        let skip = this.state.offset;
        const internal = new AbortController();
        const pages = prefetchOne(
          source.pages(chunk, this.state.at, {
            signal: signal ? AbortSignal.any([signal, internal.signal]) : internal.signal,
            callerSignal: signal,
            logger: this.setup.logger,
            onJob: (jobId) => (this.activeJob = jobId),
          }),
          () => internal.abort(new Error('the search stream was closed early')),
        );
        for await (const page of pages) {
          this.throwIfAborted();
          this.pages++;
          if (page.restarted) {
            dedupe.beginReplay(`Chunk ${iso(chunk.startMs)}/${iso(chunk.endMs)} had to be read again`);
            skip = 0;
          }
          if (page.totalHits !== undefined) this.chunkTotals.set(chunk.index, page.totalHits);
          this.state.at = page.position;
          const rows = page.rows;
          let i = Math.min(skip, rows.length);
          skip = 0;
          this.state.offset = i;
          this.emitProgress(chunk.index, false);
          for (; i < rows.length; i++) {
            const row = rows[i];
            this.state.offset = i + 1;
            if (plan.owner(row.startMs) !== chunk.index) {
              this.skippedNotOwned++;
              continue;
            }
            const id = row.summary.conversationId;
            if (dedupe.seen(id, row.startMs)) {
              this.skippedDuplicates++;
              continue;
            }
            dedupe.record(id, row.startMs);
            this.state.results++;
            yieldedThisRun++;
            yield row.summary;
            this.throwIfAborted();
            if (maxResults !== undefined && yieldedThisRun >= maxResults) return;
          }
        }
        const finished = this.state.at;
        this.state.chunk++;
        this.state.at = undefined;
        this.state.offset = 0;
        this.state.dedupe = undefined;
        this.resultsAtChunkStart = this.state.results;
        // Only now, with every page consumed, is the chunk's job no longer needed by a resume token
        // taken from here on (one the consumer saved earlier may still need it: deferJobCleanup).
        if ((finished?.kind === 'job' || finished?.kind === 'tail') && source.cancelJob) {
          if (this.setup.deferJobCleanup) this.finishedJobs.push(finished.jobId);
          else await source.cancelJob(finished.jobId, this.setup.logger);
        }
      }
      this.emitProgress(plan.count - 1, true);
    } catch (error) {
      if (signal?.aborted) {
        await this.cancelJobs();
        if (error instanceof SearchAbortedError) throw error;
        throw new SearchAbortedError(`The conversation search was aborted after ${this.state.results} results.`, {
          cause: signal.reason ?? error,
        });
      }
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Deletes the analytics jobs of the chunks finished so far (with `deferJobCleanup`):
   * call it once a resume token taken after them is saved, since no saved token needs them then.
   */
  async releaseFinishedJobs(): Promise<void> {
    const cancel = this.setup.source.cancelJob?.bind(this.setup.source);
    const jobs = this.finishedJobs.splice(0);
    if (cancel) for (const jobId of jobs) await cancel(jobId, this.setup.logger);
  }

  /** The job being polled or read, and the one whose page the consumer is on (they differ around a prefetch). */
  private async cancelJobs(): Promise<void> {
    const { source, logger } = this.setup;
    const cancel = source.cancelJob?.bind(source);
    if (!cancel) return;
    const jobs = new Set<string>();
    if (this.activeJob) jobs.add(this.activeJob);
    if (this.state.at?.kind === 'job' || this.state.at?.kind === 'tail') jobs.add(this.state.at.jobId);
    await Promise.all([...jobs].map((jobId) => cancel(jobId, logger)));
  }

  private throwIfAborted(): void {
    const signal = this.setup.signal;
    if (signal?.aborted) {
      throw new SearchAbortedError(`The conversation search was aborted after ${this.state.results} results.`, {
        cause: signal.reason,
      });
    }
  }

  private emitProgress(chunkIndex: number, done: boolean): void {
    const onProgress = this.setup.onProgress;
    if (!onProgress) return;
    const { plan, source } = this.setup;
    const chunk = plan.chunk(Math.max(0, Math.min(chunkIndex, plan.count - 1)));
    onProgress({
      source: source.kind,
      chunkIndex: chunk.index,
      chunkCount: plan.count,
      chunkStart: iso(chunk.startMs),
      chunkEnd: iso(chunk.endMs),
      pages: this.pages,
      results: this.state.results,
      skippedNotOwned: this.skippedNotOwned,
      skippedDuplicates: this.skippedDuplicates,
      ...(done ? { estimatedTotal: this.state.results } : this.estimate(chunk.index)),
      done,
    });
  }

  private estimate(chunkIndex: number): { estimatedTotal?: number } {
    const current = this.chunkTotals.get(chunkIndex);
    if (current === undefined) return {};
    const known = [...this.chunkTotals.values()];
    const mean = known.reduce((a, b) => a + b, 0) / known.length;
    const remaining = this.setup.plan.count - chunkIndex - 1;
    return {
      estimatedTotal: Math.max(this.state.results, Math.round(this.resultsAtChunkStart + current + remaining * mean)),
    };
  }
}

function spanOf(plan: ChunkPlan, index: number): [string, string] {
  const chunk = plan.chunk(index);
  return [iso(chunk.startMs), iso(chunk.endMs)];
}
