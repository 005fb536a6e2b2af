import { SearchStreamErrorCode, type ConversationSearch, type ConversationSummary, type SearchStreamError } from '@gcm/search-stream';
import type { StoreRepositories } from '@gcm/store';
import { ArchiveError, ArchiveErrorCode } from '../archive.error';
import type { ResolvedArchiveJobOptions } from '../archive-job.options';
import type { WindowState } from '../window/archive-window';
import { envelopeOf } from './conversation-envelope';

const STALE_TOKEN_CODES = new Set<SearchStreamErrorCode>([
  SearchStreamErrorCode.JobCancelled,
  SearchStreamErrorCode.JobExpired,
  SearchStreamErrorCode.InvalidResumeToken,
  SearchStreamErrorCode.ResumeTokenMismatch,
  SearchStreamErrorCode.ResumeNotExact,
]);

/** Where the window state is saved, and its current compare-and-set revision. */
export interface StateSlot {
  readonly checkpoint: string;
  /** Scheduled windows keep the watermark next to the state; backfills keep none. */
  readonly watermark: number | null;
  revision: number;
  state: WindowState;
}

export interface DiscoveryOptions {
  readonly signal: AbortSignal;
  /** Called after every committed batch (and at the end). */
  readonly onBatch: (enqueued: number) => void;
}

/**
 * Finds a window's conversations and enqueues them, a batch per transaction that also
 * saves the search's resume token in the window state. So a process killed at any
 * point resumes the search exactly after the last committed batch, and enqueueing is
 * idempotent by (queue, conversation id) for whatever was found twice.
 */
export class WindowDiscovery {
  constructor(
    private readonly store: StoreRepositories,
    private readonly search: Pick<ConversationSearch, 'search'>,
    private readonly options: ResolvedArchiveJobOptions,
  ) {}

  async discover(slot: StateSlot, options: DiscoveryOptions): Promise<void> {
    if (slot.state.searchDone) return;
    try {
      await this.searchFrom(slot, slot.state.searchToken, options);
    } catch (error) {
      if (slot.state.searchToken === undefined || !STALE_TOKEN_CODES.has((error as SearchStreamError)?.code as SearchStreamErrorCode)) throw error;
      // the saved position cannot be continued (its analytics job was cancelled or
      // expired, or the token is from another version): search the window again from
      // its start; enqueueing what was enqueued already adds nothing
      this.options.logger.warn?.(`Cannot resume the search of ${slot.state.queue} (${(error as Error).message}); searching the window again`, {
        queue: slot.state.queue,
      });
      await this.searchFrom(slot, undefined, options);
    }
  }

  /**
   * Stopping breaks out of the stream rather than aborting it: an aborted search deletes
   * its analytics job, which would make the saved resume token useless.
   */
  private async searchFrom(slot: StateSlot, token: string | undefined, options: DiscoveryOptions): Promise<void> {
    const { state } = slot;
    let chunk = -1;
    const stream = this.search.search(
      { ...this.options.criteria, interval: { start: state.start, end: state.end } },
      // a saved token may point into a chunk the stream has finished since: its job must
      // live until a later token is saved (released after each commit)
      {
        match: this.options.match,
        deferJobCleanup: true,
        onProgress: (progress) => (chunk = progress.chunkIndex),
        ...(token ? { resumeFrom: token } : {}),
      },
    );
    let batch: ConversationSummary[] = [];
    let previousChunk: number | undefined;
    const save = async (done: boolean) => {
      await this.commit(slot, batch, stream.resumeToken(), done);
      await stream.releaseFinishedJobs();
      options.onBatch(batch.length);
      batch = [];
    };
    for await (const summary of stream) {
      batch.push(summary);
      // saved per batch, and as soon as the search has entered another chunk (a day, one
      // analytics job each; the token then points into the new chunk), so a process killed
      // at any point resumes without submitting a finished day's job again
      const enteredChunk = previousChunk !== undefined && chunk !== previousChunk;
      previousChunk = chunk;
      if (batch.length >= this.options.discoveryBatchSize || enteredChunk) await save(false);
      if (options.signal.aborted) break;
    }
    if (options.signal.aborted) {
      if (batch.length > 0) await save(false);
      return;
    }
    await save(true);
  }

  private async commit(slot: StateSlot, batch: ConversationSummary[], token: string, done: boolean): Promise<void> {
    const { maxAttempts } = this.options.retry;
    const next: WindowState = { ...slot.state, searchToken: token, searchDone: done };
    const saved = await this.store.transaction(async (tx) => {
      await tx.workItems.enqueueMany(
        slot.state.queue,
        batch.map((summary) => ({ key: summary.conversationId, payload: envelopeOf(summary), maxAttempts })),
      );
      const written = await tx.checkpoints.compareAndSet(slot.checkpoint, slot.revision, { watermark: slot.watermark, resumeToken: next });
      if (!written) {
        // someone else wrote the window state: this process no longer runs the window
        // (rolling back keeps the batch for the process that does)
        throw new ArchiveError(
          ArchiveErrorCode.RunLeaseLost,
          `The window state in checkpoint ${slot.checkpoint} was changed by another process while this one was searching; stopping.`,
        );
      }
      return written;
    });
    slot.revision = saved.revision;
    slot.state = next;
  }
}
