import type { ArchiveContent } from '@gcm/history-timeline';
import type { ArchiveCatalogEntry, ArchiveSink, ArchivedVersion, StoreRepositories } from '@gcm/store';

/** The parts of an archived document the catalog reads (any schema-1 archive document has them). */
export type CatalogSource = Pick<ArchiveContent, 'conversation' | 'participants' | 'messages' | 'integrity' | 'sla'>;

/**
 * The catalog row of one archived version: when the conversation ran, which queues it went
 * through, and how many integrity findings and SLA breaches its record carries.
 */
export function catalogEntryOf(document: CatalogSource, stored: Pick<ArchivedVersion, 'conversationId' | 'version' | 'contentHash' | 'archivedAt'>): ArchiveCatalogEntry {
  const { conversation, integrity } = document;
  const started = conversation.startTime === undefined ? NaN : Date.parse(conversation.startTime);
  const ended = conversation.endTime === undefined ? NaN : Date.parse(conversation.endTime);
  const queueIds = [...new Set(document.participants.map((p) => p.queueId).filter((id): id is string => typeof id === 'string' && id !== ''))].sort();
  return {
    conversationId: stored.conversationId,
    version: stored.version,
    contentHash: stored.contentHash,
    startedAt: Number.isFinite(started) ? started : stored.archivedAt,
    ...(Number.isFinite(ended) ? { endedAt: ended } : {}),
    queueIds,
    ...(conversation.messengerType ? { messengerType: conversation.messengerType } : {}),
    messageCount: document.messages.length,
    participantCount: document.participants.length,
    integrityFindings:
      integrity.outOfOrder.length + integrity.duplicates.length + integrity.missing.length + integrity.outsideConversation.length + integrity.gaps.length,
    outOfOrder: integrity.outOfOrder.length,
    slaBreaches: document.sla.breaches.length,
    archivedAt: stored.archivedAt,
  };
}

export interface CatalogRebuildReport {
  /** rows written */
  readonly catalogued: number;
  /** versions whose document could not be read (missing, corrupted, not an archive record) */
  readonly failed: ReadonlyArray<{ conversationId: string; version: number; error: string }>;
}

/**
 * Catalogs every newest archived version the catalog does not describe yet — archives made
 * before the catalog existed, or by a writer that did not catalog. Idempotent and safe next
 * to running archive jobs (the catalog never goes back to an older version).
 */
export async function rebuildArchiveCatalog(
  deps: { store: StoreRepositories; sink: ArchiveSink },
  options: { batchSize?: number; signal?: AbortSignal } = {},
): Promise<CatalogRebuildReport> {
  const batchSize = options.batchSize ?? 100;
  let catalogued = 0;
  const failed: Array<{ conversationId: string; version: number; error: string }> = [];
  const skip = new Set<string>();
  for (;;) {
    options.signal?.throwIfAborted();
    const batch = (await deps.store.archiveCatalog.missing(batchSize + skip.size)).filter((m) => !skip.has(`${m.conversationId}/${m.version}`));
    if (batch.length === 0) break;
    for (const { conversationId, version } of batch.slice(0, batchSize)) {
      try {
        const stored = await deps.sink.get<CatalogSource>(conversationId, version);
        if (!stored) throw new Error('the sink has no such version');
        await deps.store.archiveCatalog.upsert(catalogEntryOf(stored.document, stored));
        catalogued++;
      } catch (error) {
        skip.add(`${conversationId}/${version}`);
        failed.push({ conversationId, version, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return { catalogued, failed };
}
