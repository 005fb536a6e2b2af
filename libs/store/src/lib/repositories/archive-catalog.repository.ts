import { sql } from 'kysely';
import type { ArchiveCatalogTable } from '../database/schema';
import { StoreError, StoreErrorCode } from '../store.error';
import type { RepositoryContext } from './repository-context';

/** What the catalog knows of an archived conversation's newest version. */
export interface ArchiveCatalogEntry {
  readonly conversationId: string;
  readonly version: number;
  /** the archived document's hash, as in the archive index */
  readonly contentHash: string;
  /** the conversation's start (epoch ms), or its archive time when Genesys gave none */
  readonly startedAt: number;
  readonly endedAt?: number;
  /** every queue a participant of the conversation was routed through, sorted */
  readonly queueIds: readonly string[];
  readonly messengerType?: string;
  readonly messageCount: number;
  readonly participantCount: number;
  /** integrity findings of every kind (out of order, duplicates, missing, outside, gaps) */
  readonly integrityFindings: number;
  readonly outOfOrder: number;
  readonly slaBreaches: number;
  readonly archivedAt: number;
}

/** Position after the last row of a page (newest first). */
export interface ArchiveCatalogCursor {
  readonly startedAt: number;
  readonly conversationId: string;
}

export interface ArchiveCatalogQuery {
  /** conversations that started at or after (epoch ms) */
  readonly from?: number;
  /** conversations that started before (epoch ms) */
  readonly to?: number;
  readonly queueId?: string;
  /** an exact conversation id */
  readonly conversationId?: string;
  /** `findings`: at least one integrity finding; `clean`: none */
  readonly integrity?: 'findings' | 'clean';
  /** `breached`: at least one receipt SLA breach; `met`: none */
  readonly sla?: 'breached' | 'met';
  /** 1–500 */
  readonly limit: number;
  readonly after?: ArchiveCatalogCursor;
}

export interface ArchiveCatalogPage {
  readonly entries: readonly ArchiveCatalogEntry[];
  /** set when more rows may follow: pass it as `after` */
  readonly next?: ArchiveCatalogCursor;
}

export const MAX_CATALOG_PAGE = 500;

/**
 * The archive catalog: one row per archived conversation, describing its newest version,
 * for listing and filtering without reading stored documents. Written next to the archive
 * index; an older version never overwrites a newer one, so writers may race.
 */
export class ArchiveCatalogRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  /** Records the entry unless the catalog already describes a newer version. */
  async upsert(entry: ArchiveCatalogEntry): Promise<void> {
    const row = toRow(entry);
    await this.ctx.db
      .insertInto('archive_catalog')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('conversation_id')
          .doUpdateSet((eb) => ({
            version: eb.ref('excluded.version'),
            content_hash: eb.ref('excluded.content_hash'),
            started_at: eb.ref('excluded.started_at'),
            ended_at: eb.ref('excluded.ended_at'),
            queue_ids: eb.ref('excluded.queue_ids'),
            messenger_type: eb.ref('excluded.messenger_type'),
            message_count: eb.ref('excluded.message_count'),
            participant_count: eb.ref('excluded.participant_count'),
            integrity_findings: eb.ref('excluded.integrity_findings'),
            out_of_order: eb.ref('excluded.out_of_order'),
            sla_breaches: eb.ref('excluded.sla_breaches'),
            archived_at: eb.ref('excluded.archived_at'),
          }))
          .where('archive_catalog.version', '<=', (eb) => eb.ref('excluded.version')),
      )
      .execute();
  }

  async get(conversationId: string): Promise<ArchiveCatalogEntry | undefined> {
    const row = await this.ctx.db.selectFrom('archive_catalog').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
    return row === undefined ? undefined : toEntry(row);
  }

  /** Newest first (start time, then id, descending), keyset-paginated. */
  async search(query: ArchiveCatalogQuery): Promise<ArchiveCatalogPage> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_CATALOG_PAGE) {
      throw new StoreError(StoreErrorCode.InvalidArgument, `limit must be an integer from 1 to ${MAX_CATALOG_PAGE} (got ${query.limit})`);
    }
    let q = this.ctx.db.selectFrom('archive_catalog').selectAll();
    if (query.from !== undefined) q = q.where('started_at', '>=', query.from);
    if (query.to !== undefined) q = q.where('started_at', '<', query.to);
    if (query.conversationId !== undefined) q = q.where('conversation_id', '=', query.conversationId);
    if (query.queueId !== undefined) q = q.where('queue_ids', 'like', `%,${escapeLike(query.queueId)},%`, );
    if (query.integrity === 'findings') q = q.where('integrity_findings', '>', 0);
    if (query.integrity === 'clean') q = q.where('integrity_findings', '=', 0);
    if (query.sla === 'breached') q = q.where('sla_breaches', '>', 0);
    if (query.sla === 'met') q = q.where('sla_breaches', '=', 0);
    const after = query.after;
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb('started_at', '<', after.startedAt),
          eb.and([eb('started_at', '=', after.startedAt), eb('conversation_id', '<', after.conversationId)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('started_at', 'desc')
      .orderBy('conversation_id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const entries = rows.slice(0, query.limit).map(toEntry);
    const last = entries[entries.length - 1];
    return rows.length > query.limit && last ? { entries, next: { startedAt: last.startedAt, conversationId: last.conversationId } } : { entries };
  }

  /**
   * Newest archive-index versions the catalog does not describe yet (archived before the
   * catalog existed, or by a writer that does not catalog): what a catalog rebuild reads.
   */
  async missing(limit: number): Promise<Array<{ conversationId: string; version: number }>> {
    const result = await sql<{ conversation_id: string; version: number | string }>`
      select i.conversation_id, i.version
      from archive_index i
      left join archive_catalog c on c.conversation_id = i.conversation_id
      where i.version = (select max(j.version) from archive_index j where j.conversation_id = i.conversation_id)
        and (c.conversation_id is null or c.version < i.version)
      order by i.conversation_id
      limit ${limit}`.execute(this.ctx.db);
    return result.rows.map((row) => ({ conversationId: row.conversation_id, version: Number(row.version) }));
  }

  /** Forgets a conversation (its archive is gone). */
  async remove(conversationId: string): Promise<boolean> {
    const result = await this.ctx.db.deleteFrom('archive_catalog').where('conversation_id', '=', conversationId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function escapeLike(value: string): string {
  // queue ids are UUIDs; anything else simply matches nothing rather than acting as a pattern
  return value.replace(/[%_,\\]/g, '');
}

function toRow(entry: ArchiveCatalogEntry): ArchiveCatalogTable {
  const queues = [...new Set(entry.queueIds)].filter((id) => id !== '' && !id.includes(',')).sort();
  return {
    conversation_id: entry.conversationId,
    version: entry.version,
    content_hash: entry.contentHash,
    started_at: entry.startedAt,
    ended_at: entry.endedAt ?? null,
    queue_ids: queues.length === 0 ? ',' : `,${queues.join(',')},`,
    messenger_type: entry.messengerType ?? null,
    message_count: entry.messageCount,
    participant_count: entry.participantCount,
    integrity_findings: entry.integrityFindings,
    out_of_order: entry.outOfOrder,
    sla_breaches: entry.slaBreaches,
    archived_at: entry.archivedAt,
  };
}

function toEntry(row: ArchiveCatalogTable): ArchiveCatalogEntry {
  return {
    conversationId: row.conversation_id,
    version: Number(row.version),
    contentHash: row.content_hash,
    startedAt: Number(row.started_at),
    ...(row.ended_at === null ? {} : { endedAt: Number(row.ended_at) }),
    queueIds: row.queue_ids.split(',').filter((id) => id !== ''),
    ...(row.messenger_type === null ? {} : { messengerType: row.messenger_type }),
    messageCount: Number(row.message_count),
    participantCount: Number(row.participant_count),
    integrityFindings: Number(row.integrity_findings),
    outOfOrder: Number(row.out_of_order),
    slaBreaches: Number(row.sla_breaches),
    archivedAt: Number(row.archived_at),
  };
}
