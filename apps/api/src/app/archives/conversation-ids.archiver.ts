import { archiveDocument, buildArchiveRecord, catalogEntryOf } from '@gcm/archive';
import type { AuditLog } from '@gcm/audit';
import type { Clock, GenesysLogger } from '@gcm/genesys-auth';
import { HistorySync, mapConcurrent, type HistorySource } from '@gcm/history-timeline';
import type { ArchiveSink, StoreRepositories } from '@gcm/store';
import type { ArchivedConversationOutcomeDto } from './archives.dto';

export interface ConversationIdsArchiverDeps {
  readonly store: StoreRepositories;
  readonly sink: ArchiveSink;
  readonly messaging: HistorySource;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: GenesysLogger;
  /** Who the audit records name (the replica's owner id). */
  readonly actor: string;
}

/**
 * Archives named conversations now, outside the scheduled windows: the same record and
 * the same idempotent sink + index as the archive job (an unchanged conversation writes
 * nothing), one conversation failing without stopping the others.
 *
 * The archive lib exposes the pieces (buildArchiveRecord, archiveDocument) but archives
 * only windows; its work-item leases, which keep two replicas from writing one
 * conversation at once, are not used here.
 */
export class ConversationIdsArchiver {
  constructor(private readonly deps: ConversationIdsArchiverDeps) {}

  async archive(runId: string, conversationIds: readonly string[], signal: AbortSignal): Promise<ArchivedConversationOutcomeDto[]> {
    const outcomes: ArchivedConversationOutcomeDto[] = [];
    for await (const outcome of mapConcurrent(conversationIds, 4, (id, taskSignal) => this.one(runId, id, taskSignal), signal)) outcomes.push(outcome);
    const order = new Map(conversationIds.map((id, index) => [id, index]));
    return outcomes.sort((a, b) => (order.get(a.conversationId) ?? 0) - (order.get(b.conversationId) ?? 0));
  }

  private async one(runId: string, conversationId: string, signal: AbortSignal): Promise<ArchivedConversationOutcomeDto> {
    const { store, sink, messaging, audit, clock, logger, actor } = this.deps;
    const started = clock.now();
    try {
      const timeline = await new HistorySync({ source: messaging, clock }).sync(conversationId, { signal });
      const record = buildArchiveRecord(timeline, clock.now());
      const put = await sink.put(conversationId, archiveDocument(record));
      const { created } = await store.transaction(async (tx) => {
        const indexed = await tx.archiveIndex.record({ conversationId, contentHash: put.contentHash, location: put.location, archivedAt: put.archivedAt });
        if (indexed.created) await tx.archiveCatalog.upsert(catalogEntryOf(record, indexed.entry));
        return indexed;
      });
      if (created) {
        await audit
          .append({
            actor,
            action: 'conversation.archived',
            target: conversationId,
            outcome: 'success',
            latencyMs: clock.now() - started,
            details: { runId, version: put.version, contentHash: record.contentHash, location: put.location },
          })
          .catch((error: unknown) => logger.error?.(`Cannot write the audit record of archiving ${conversationId}: ${(error as Error).message}`));
      }
      return { conversationId, outcome: created ? 'archived' : 'unchanged', version: put.version, contentHash: record.contentHash };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const message = error instanceof Error ? `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}` : String(error);
      logger.warn?.(`Archiving conversation ${conversationId} failed`, { runId, conversationId, error: message });
      return { conversationId, outcome: 'failed', error: message };
    }
  }
}
