import type { AuditEntry, AuditLog, WebhookDispatcher } from '@gcm/audit';
import { HistorySync, type ArchiveRecord, type HistorySource } from '@gcm/history-timeline';
import { stoppingFault, storageFaultOf, type ArchiveSink, type StoreFaultError, type StoreRepositories, type WorkItem } from '@gcm/store';
import { ArchiveError, ArchiveErrorCode } from '../archive.error';
import { retryDelayMs, type ResolvedArchiveJobOptions } from '../archive-job.options';
import type { ArchiveObserver, ConversationOutcome } from '../archive-observer';
import { catalogEntryOf } from '../catalog/archive-catalog';
import { buildArchiveRecord } from './archive-record.builder';
import { envelopeHistorySource, isEnvelope } from './conversation-envelope';
import { describeWindow, type ArchiveWindow } from '../window/archive-window';

/** The document the sink stores: the archive record without its `sync` part. */
export type ArchivedRecordDocument = Omit<ArchiveRecord, 'sync'>;

/**
 * What is archived of a record. The sink is idempotent by the hash of the whole document,
 * so the document must depend on the conversation's content only: `sync` (when and how
 * it was read, presigned media URLs that expire) changes on every read and is left out.
 * `contentHash` stays, so a stored document verifies with `parseArchiveRecord`.
 */
export function archiveDocument(record: ArchiveRecord): ArchivedRecordDocument {
  const { sync: _sync, ...document } = record;
  return document;
}

export interface ArchiveItemContext {
  readonly runId: string;
  readonly queue: string;
  readonly window: ArchiveWindow;
  /** Aborted when the run stops and in-flight work must be handed back. */
  readonly signal: AbortSignal;
  /** Told of a global storage fault (full disk, database unreachable): the run must stop. */
  readonly onFault?: (fault: StoreFaultError) => void;
}

export interface ConversationArchiverDeps {
  readonly store: StoreRepositories;
  readonly sink: ArchiveSink;
  readonly messaging: HistorySource;
  readonly webhooks?: Pick<WebhookDispatcher, 'enqueue'>;
  readonly audit?: AuditLog;
  readonly observer?: ArchiveObserver;
}

/**
 * One conversation through the pipeline: sync its timeline, build the record, put it in
 * the sink (a no-op when that content is there already), then in one transaction mark
 * the work item done, index the version and enqueue `archive.completed` — so the index,
 * the event and the item's state never disagree. An audit record follows the commit.
 * A failure goes back to the queue with a backoff, or is parked (with `archive.failed`)
 * on the last attempt.
 */
export class ConversationArchiver {
  constructor(
    private readonly deps: ConversationArchiverDeps,
    private readonly options: ResolvedArchiveJobOptions,
  ) {}

  async archive(item: WorkItem, context: ArchiveItemContext): Promise<ConversationOutcome> {
    const { clock, owner, logger } = this.options;
    const conversationId = item.key;
    const started = clock.now();
    let outcome: ConversationOutcome;
    let version: number | undefined;
    let contentHash: string | undefined;
    let error: string | undefined;
    try {
      const result = await this.archiveOnce(item, context);
      ({ outcome, version, contentHash } = result);
    } catch (caught) {
      error = describe(caught);
      const fault = stoppingFault(caught);
      if (caught instanceof ArchiveError && caught.code === ArchiveErrorCode.ItemLeaseLost) {
        outcome = 'lost';
      } else if (fault) {
        // a full disk or a database gone for the whole retry budget is not this
        // conversation's failure: hand it back uncharged and stop the run
        await this.deps.store.workItems.release(item.id, owner).catch(() => undefined);
        outcome = 'released';
        context.onFault?.(fault);
      } else if (context.signal.aborted) {
        await this.deps.store.workItems.release(item.id, owner);
        outcome = 'released';
      } else {
        outcome = await this.recordFailure(item, context, error);
      }
    }
    const durationMs = clock.now() - started;
    const event = { runId: context.runId, conversationId, outcome, attempt: item.attempts, durationMs, version, contentHash, error };
    if (outcome === 'failed' || outcome === 'parked') {
      logger.warn?.(`Conversation ${conversationId} ${outcome === 'parked' ? 'parked after its last attempt' : 'failed; it will be retried'}`, event);
    } else {
      logger.debug?.(`Conversation ${conversationId} ${outcome}`, event);
    }
    this.deps.observer?.conversation?.(event);
    return outcome;
  }

  private async archiveOnce(
    item: WorkItem,
    context: ArchiveItemContext,
  ): Promise<{ outcome: ConversationOutcome; version: number; contentHash: string }> {
    const { store, sink, webhooks } = this.deps;
    const { owner, leaseMs, clock } = this.options;
    const conversationId = item.key;
    const started = clock.now();

    const timeline = await this.history(conversationId, item.payload).sync(conversationId, { ...this.options.sync, signal: context.signal });
    const record = buildArchiveRecord(timeline, context.window.end, { record: this.options.record, sla: this.options.sync.sla });

    // the sink's version numbering relies on one writer per conversation: make sure the
    // lease did not run out while Genesys was being read
    if (!(await store.workItems.renew(item.id, owner, leaseMs))) throw leaseLost(conversationId);
    // a sink's raw ENOSPC/EROFS/EACCES is a global condition too (the store's sinks name their place already)
    const put = await sink.put(conversationId, archiveDocument(record)).catch((caught: unknown) => {
      throw storageFaultOf(caught, `the ${sink.kind} archive`) ?? caught;
    });

    const created = await store.transaction(async (tx) => {
      if (!(await tx.workItems.complete(item.id, owner))) throw leaseLost(conversationId);
      const indexed = await tx.archiveIndex.record({
        conversationId,
        contentHash: put.contentHash,
        location: put.location,
        archivedAt: put.archivedAt,
      });
      // a new version only: an unchanged conversation's row is already there (or, archived
      // before the catalog existed, it is filled by rebuildArchiveCatalog)
      if (indexed.created) await tx.archiveCatalog.upsert(catalogEntryOf(record, indexed.entry));
      if (indexed.created && webhooks) {
        await webhooks.enqueue(
          {
            type: 'archive.completed',
            idempotencyKey: `archive.completed:${conversationId}:${put.contentHash}`,
            data: {
              conversationId,
              version: put.version,
              recordHash: record.contentHash,
              documentHash: put.contentHash,
              location: put.location,
              archivedAt: new Date(put.archivedAt).toISOString(),
              runId: context.runId,
              window: describeWindow(context.window),
            },
          },
          tx,
        );
      }
      return indexed.created;
    });

    if (created) {
      await this.appendAudit({
        actor: owner,
        action: 'conversation.archived',
        target: conversationId,
        outcome: 'success',
        latencyMs: clock.now() - started,
        details: { runId: context.runId, version: put.version, contentHash: record.contentHash, location: put.location, attempt: item.attempts },
      });
    }
    return { outcome: created ? 'archived' : 'unchanged', version: put.version, contentHash: record.contentHash };
  }

  /**
   * The state change is committed by now: a trail that cannot be written is reported, and
   * does not turn an archived conversation into a failed one.
   */
  private async appendAudit(entry: AuditEntry): Promise<void> {
    if (!this.deps.audit) return;
    try {
      await this.deps.audit.append(entry);
    } catch (error) {
      this.options.logger.error?.(`Cannot write the audit record ${entry.action} of ${entry.target}: ${describe(error)}`, {
        action: entry.action,
        target: entry.target,
      });
    }
  }

  private history(conversationId: string, payload: unknown): HistorySync {
    const source =
      this.options.envelope === 'search' && isEnvelope(payload)
        ? envelopeHistorySource(this.deps.messaging, conversationId, payload)
        : this.deps.messaging;
    return new HistorySync({ source, clock: this.options.clock });
  }

  private async recordFailure(item: WorkItem, context: ArchiveItemContext, error: string): Promise<ConversationOutcome> {
    const { store, webhooks } = this.deps;
    const { owner, retry, random } = this.options;
    const conversationId = item.key;
    const failed = await store.transaction(async (tx) => {
      const result = await tx.workItems.fail(item.id, owner, error, { retryDelayMs: retryDelayMs(item.attempts, retry, random) });
      if (result?.status === 'dead' && webhooks) {
        await webhooks.enqueue(
          {
            type: 'archive.failed',
            idempotencyKey: `archive.failed:${context.queue}:${conversationId}`,
            data: { conversationId, attempts: result.attempts, error, runId: context.runId, window: describeWindow(context.window) },
          },
          tx,
        );
      }
      return result;
    });
    if (failed === undefined) return 'lost';
    if (failed.status === 'dead') {
      await this.appendAudit({
        actor: owner,
        action: 'conversation.archive.parked',
        target: conversationId,
        outcome: 'failure',
        details: { runId: context.runId, attempts: failed.attempts, error, queue: context.queue },
      });
      return 'parked';
    }
    return 'failed';
  }
}

function leaseLost(conversationId: string): ArchiveError {
  return new ArchiveError(
    ArchiveErrorCode.ItemLeaseLost,
    `The lease on conversation ${conversationId} expired before it was archived; another worker has it now. Raise leaseMs if this repeats.`,
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
  }
  return String(error);
}
