import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { rebuildArchiveCatalog } from '@gcm/archive';
import {
  escapeMarkdown,
  renderTranscriptMarkdown,
  transcriptSourceOfArchive,
  verifyArchiveRecord,
  type ArchiveContent,
  type ArchiveRecord,
} from '@gcm/history-timeline';
import { RoutingQueueDirectory } from '@gcm/messaging-client';
import { StoreDatabase, type ArchiveCatalogCursor, type ArchiveSink } from '@gcm/store';
import { ARCHIVE_SINK } from '@gcm/store/nest';
import { ArchiveNotFoundError } from '../archives/archive-not-found.error';
import { GcmLogger } from '@gcm/logging';
import type { ListFilters, ListView, TranscriptView } from './review.pages';

export const REVIEW_PAGE_SIZE = 50;
const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type ArchivedDocumentContent = ArchiveContent & { contentHash: string };

/** How long a page waits for the queue names before it shows ids instead. */
const QUEUE_NAMES_WAIT_MS = 3_000;
/** After the routing API failed, pages show ids for this long before asking again. */
const QUEUE_NAMES_RETRY_MS = 60_000;

/** What the review pages read: the archive catalog for the list, the sink for a transcript. */
@Injectable()
export class ReviewService implements OnApplicationBootstrap {
  private rebuilding?: Promise<void>;
  private queuesFailedAt?: number;

  constructor(
    private readonly store: StoreDatabase,
    @Inject(ARCHIVE_SINK) private readonly sink: ArchiveSink,
    private readonly logger: GcmLogger,
    private readonly queues: RoutingQueueDirectory,
  ) {}

  /**
   * The org's queues by name (the routing API, cached by the directory), or undefined when
   * Genesys cannot say right now (the client lacks `routing:queue:view`, Genesys is down):
   * the pages then show queue ids, and ask again a minute later.
   */
  async queueList(): Promise<ReadonlyArray<{ id: string; name: string }> | undefined> {
    if (this.queuesFailedAt !== undefined && Date.now() - this.queuesFailedAt < QUEUE_NAMES_RETRY_MS) return undefined;
    try {
      const queues = await this.queues.list({ signal: AbortSignal.timeout(QUEUE_NAMES_WAIT_MS) });
      this.queuesFailedAt = undefined;
      return queues.map((queue) => ({ id: queue.id.toLowerCase(), name: queue.name }));
    } catch (error) {
      this.queuesFailedAt = Date.now();
      this.logger.write('warn', 'Queue names unavailable; the review pages show queue ids', { context: 'Review', error: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }

  /**
   * Archives written before the catalog existed are catalogued in the background at
   * start-up, so the list shows them; it is idempotent, and replicas may race on it.
   */
  onApplicationBootstrap(): void {
    this.rebuilding = rebuildArchiveCatalog({ store: this.store, sink: this.sink }).then(
      (report) => {
        if (report.catalogued > 0 || report.failed.length > 0) {
          this.logger.write(report.failed.length > 0 ? 'warn' : 'info', 'Archive catalog rebuilt for older archives', {
            context: 'Review',
            catalogued: report.catalogued,
            failed: report.failed.length,
            ...(report.failed.length > 0 ? { firstFailure: report.failed[0] } : {}),
          });
        }
      },
      (error: unknown) => this.logger.write('warn', 'Archive catalog rebuild failed', { context: 'Review', error: error instanceof Error ? error.message : String(error) }),
    );
  }

  /** Resolves when the start-up catalog rebuild is over (tests). */
  async caughtUp(): Promise<void> {
    await this.rebuilding;
  }

  /** The list page's data from raw query parameters; bad filters come back as `errors` (nothing is searched then). */
  async list(query: Record<string, unknown>): Promise<ListView> {
    const text = (name: string): string | undefined => {
      const value = query[name];
      const single = Array.isArray(value) ? value[0] : value;
      return typeof single === 'string' && single.trim() !== '' ? single.trim() : undefined;
    };
    const filters: ListFilters = {
      from: text('from'),
      to: text('to'),
      queueId: text('queueId')?.toLowerCase(),
      conversationId: text('conversationId')?.toLowerCase(),
      integrity: text('integrity'),
      sla: text('sla'),
    };
    const errors: Array<{ field: string; message: string }> = [];
    const day = (field: 'from' | 'to'): number | undefined => {
      const value = filters[field];
      if (value === undefined) return undefined;
      const parsed = DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
      // Date.parse rolls 2026-02-30 over into March: a day that is not on the calendar is refused
      const ms = Number.isFinite(parsed) && new Date(parsed).toISOString().slice(0, 10) === value ? parsed : NaN;
      if (!Number.isFinite(ms)) errors.push({ field, message: 'must be a date as YYYY-MM-DD' });
      return Number.isFinite(ms) ? ms : undefined;
    };
    const from = day('from');
    const toDay = day('to');
    // "started before" a day includes that whole day
    const to = toDay === undefined ? undefined : toDay + DAY_MS;
    if (from !== undefined && to !== undefined && from >= to) errors.push({ field: 'to', message: 'must not be before from' });
    for (const field of ['queueId', 'conversationId'] as const) {
      const value = filters[field];
      if (value !== undefined && !UUID.test(value)) errors.push({ field, message: 'must be a Genesys id (UUID, 36 characters)' });
    }
    if (filters.integrity !== undefined && filters.integrity !== 'findings' && filters.integrity !== 'clean') {
      errors.push({ field: 'integrity', message: 'must be findings or clean' });
    }
    if (filters.sla !== undefined && filters.sla !== 'breached' && filters.sla !== 'met') errors.push({ field: 'sla', message: 'must be breached or met' });
    const afterText = text('after');
    const after = afterText === undefined ? undefined : decodeCursor(afterText);
    if (afterText !== undefined && after === undefined) errors.push({ field: 'after', message: 'is not a page position this list produced' });
    const queues = await this.queueList();
    if (errors.length > 0) return { filters, entries: [], errors, ...(queues ? { queues } : {}) };

    const page = await this.store.archiveCatalog.search({
      limit: REVIEW_PAGE_SIZE,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(filters.queueId ? { queueId: filters.queueId } : {}),
      ...(filters.conversationId ? { conversationId: filters.conversationId } : {}),
      ...(filters.integrity ? { integrity: filters.integrity as 'findings' | 'clean' } : {}),
      ...(filters.sla ? { sla: filters.sla as 'breached' | 'met' } : {}),
      ...(after ? { after } : {}),
    });
    const next = page.next
      ? new URLSearchParams(
          Object.entries({ ...filters, after: encodeCursor(page.next) }).filter((pair): pair is [string, string] => typeof pair[1] === 'string'),
        ).toString()
      : undefined;
    return { filters, entries: page.entries, ...(next ? { nextQuery: next } : {}), ...(queues ? { queues } : {}) };
  }

  /** One archived version (the latest by default) with its hash check. */
  async transcript(conversationId: string, version?: number): Promise<TranscriptView> {
    const versions = await this.store.archiveIndex.versions(conversationId);
    const wanted = version ?? versions[versions.length - 1]?.version;
    const stored = wanted === undefined ? undefined : await this.sink.get<ArchivedDocumentContent>(conversationId, wanted);
    if (!stored) throw new ArchiveNotFoundError(conversationId, version);
    const hash = verifyArchiveRecord(stored.document as ArchiveRecord);
    const queues = await this.queueList();
    return { conversationId, version: stored.version, versions, document: stored.document, hash, ...(queues ? { queueNames: new Map(queues.map((q) => [q.id, q.name])) } : {}) };
  }

  /** The transcript as Markdown (messages, receipts, participants) followed by the findings. */
  markdown(view: TranscriptView): string {
    const doc = view.document;
    const out = [renderTranscriptMarkdown(transcriptSourceOfArchive(doc), { receipts: true }).trimEnd(), '', '## Findings', ''];
    const i = doc.integrity;
    for (const pair of i.outOfOrder) {
      out.push(`- Out of order: ${escapeMarkdown(pair.first.messageId)} (${pair.first.timestamp}) is listed before ${escapeMarkdown(pair.second.messageId)} (${pair.second.timestamp}), which was sent earlier`);
    }
    for (const d of i.duplicates) {
      out.push(d.kind === 'repeated-message-id' ? `- Repeated message id ${escapeMarkdown(d.messageId)} (${d.occurrences.length} listings)` : `- Redelivered message ${escapeMarkdown(d.keptMessageId)} (${d.duplicateMessageIds.length} copies left out)`);
    }
    for (const m of i.missing) out.push(`- Missing message ${escapeMarkdown(m.messageId)}`);
    for (const o of i.outsideConversation) out.push(`- Message ${escapeMarkdown(o.messageId)} at ${o.timestamp} is ${o.boundary === 'before-start' ? 'before the start' : 'after the end'}`);
    for (const g of i.gaps) out.push(`- Gap of ${Math.round(g.durationMs / 1000)} s between ${g.from} and ${g.to}`);
    for (const b of doc.sla.breaches) out.push(`- SLA ${b.kind}: message ${escapeMarkdown(b.messageId)}, ${b.latencyMs} ms (limit ${b.thresholdMs} ms)`);
    if (out[out.length - 1] === '') out.push('None: integrity clean, receipt SLA met.');
    out.push('', `Archived version ${view.version} of ${view.versions.length}; record hash \`${doc.contentHash}\` ${view.hash.valid ? '(verified)' : `(MISMATCH: content hashes to ${view.hash.actual})`}.`, '');
    return out.join('\n');
  }
}

function encodeCursor(cursor: ArchiveCatalogCursor): string {
  return Buffer.from(`${cursor.startedAt}:${cursor.conversationId}`, 'utf8').toString('base64url');
}

function decodeCursor(text: string): ArchiveCatalogCursor | undefined {
  if (text.length > 100) return undefined;
  const [at, id, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split(':');
  const startedAt = Number(at);
  if (rest.length > 0 || !Number.isSafeInteger(startedAt) || id === undefined || !UUID.test(id)) return undefined;
  return { startedAt, conversationId: id };
}
