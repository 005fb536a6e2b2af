import type { ArchiveIndexTable } from '../database/schema';
import type { RepositoryContext } from './repository-context';
import { insertVersioned } from './versioned-insert';

/** One archived version of a conversation, as the index knows it. */
export interface ArchiveIndexEntry {
  readonly conversationId: string;
  readonly version: number;
  /** hex sha256 of the canonical JSON document */
  readonly contentHash: string;
  /** where the sink put it (sink-specific, e.g. a path relative to the archive root) */
  readonly location: string;
  readonly archivedAt: number;
}

export interface ArchiveIndexRecord {
  readonly conversationId: string;
  readonly contentHash: string;
  readonly location: string;
  /** the version the sink assigned; omitted: the next after the latest */
  readonly version?: number;
  readonly archivedAt?: number;
}

export interface RecordedArchiveEntry {
  readonly entry: ArchiveIndexEntry;
  /** false when this content was already indexed (nothing was written) */
  readonly created: boolean;
}

/**
 * Which versions of which conversations are archived, and where. Idempotent by content:
 * recording content that is already indexed for the conversation returns the existing
 * entry instead of a new version (enforced by a unique (conversation, hash) constraint).
 */
export class ArchiveIndexRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  record(record: ArchiveIndexRecord): Promise<RecordedArchiveEntry> {
    return insertVersioned(
      `conversation ${record.conversationId} in the archive index`,
      {
        findByHash: () => this.findByHash(record.conversationId, record.contentHash),
        latestVersion: async () => (await this.latest(record.conversationId))?.version ?? 0,
        tryInsert: async (version) => {
          const row = await this.ctx.db
            .insertInto('archive_index')
            .values({
              conversation_id: record.conversationId,
              version,
              content_hash: record.contentHash,
              location: record.location,
              archived_at: record.archivedAt ?? this.ctx.clock.now(),
            })
            // no conflict target: a clash on either unique key inserts nothing
            .onConflict((oc) => oc.doNothing())
            .returningAll()
            .executeTakeFirst();
          return row === undefined ? undefined : toEntry(row);
        },
      },
      record.version,
    );
  }

  async latest(conversationId: string): Promise<ArchiveIndexEntry | undefined> {
    const row = await this.ctx.db
      .selectFrom('archive_index')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : toEntry(row);
  }

  async get(conversationId: string, version: number): Promise<ArchiveIndexEntry | undefined> {
    const row = await this.ctx.db
      .selectFrom('archive_index')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('version', '=', version)
      .executeTakeFirst();
    return row === undefined ? undefined : toEntry(row);
  }

  async findByHash(conversationId: string, contentHash: string): Promise<ArchiveIndexEntry | undefined> {
    const row = await this.ctx.db
      .selectFrom('archive_index')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('content_hash', '=', contentHash)
      .executeTakeFirst();
    return row === undefined ? undefined : toEntry(row);
  }

  /**
   * Forgets one version (after retention deleted its stored document); false when there
   * was no such entry. The newest version is what numbers the next one, so callers remove
   * older versions only.
   */
  async remove(conversationId: string, version: number): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom('archive_index')
      .where('conversation_id', '=', conversationId)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Every version of a conversation, oldest first. */
  /** Versions indexed in all (progress and metrics). */
  async count(): Promise<number> {
    const row = await this.ctx.db.selectFrom('archive_index').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async versions(conversationId: string): Promise<ArchiveIndexEntry[]> {
    const rows = await this.ctx.db
      .selectFrom('archive_index')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('version', 'asc')
      .execute();
    return rows.map(toEntry);
  }
}

function toEntry(row: ArchiveIndexTable): ArchiveIndexEntry {
  return {
    conversationId: row.conversation_id,
    version: row.version,
    contentHash: row.content_hash,
    location: row.location,
    archivedAt: row.archived_at,
  };
}
