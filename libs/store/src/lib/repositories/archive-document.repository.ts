import { sql } from 'kysely';
import type { RepositoryContext } from './repository-context';
import { insertVersioned } from './versioned-insert';

export interface StoredArchiveDocumentInfo {
  readonly conversationId: string;
  readonly version: number;
  readonly contentHash: string;
  readonly archivedAt: number;
}

export interface StoredArchiveDocument extends StoredArchiveDocumentInfo {
  /** the document as JSON text (PostgreSQL returns jsonb's normalized spelling) */
  readonly documentJson: string;
}

/** Archived documents kept in the database itself (jsonb on PostgreSQL). */
export class ArchiveDocumentRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  /** Stores the next version unless this content is already stored for the conversation. */
  put(
    conversationId: string,
    contentHash: string,
    documentJson: string,
  ): Promise<{ entry: StoredArchiveDocumentInfo; created: boolean }> {
    return insertVersioned(`conversation ${conversationId} in the database archive`, {
      findByHash: () => this.findByHash(conversationId, contentHash),
      latestVersion: async () => (await this.versions(conversationId)).at(-1)?.version ?? 0,
      tryInsert: async (version) => {
        const row = await this.ctx.db
          .insertInto('archive_documents')
          .values({
            conversation_id: conversationId,
            version,
            content_hash: contentHash,
            document: documentJson,
            archived_at: this.ctx.clock.now(),
          })
          .onConflict((oc) => oc.doNothing())
          .returning(['conversation_id', 'version', 'content_hash', 'archived_at'])
          .executeTakeFirst();
        return row === undefined ? undefined : toInfo(row);
      },
    });
  }

  /** One version, or the latest when `version` is omitted. */
  async get(conversationId: string, version?: number): Promise<StoredArchiveDocument | undefined> {
    const documentText =
      this.ctx.engine === 'postgres' ? sql<string>`document::text` : sql<string>`document`;
    const row = await this.ctx.db
      .selectFrom('archive_documents')
      .select(['conversation_id', 'version', 'content_hash', 'archived_at'])
      .select(documentText.as('document_json'))
      .where('conversation_id', '=', conversationId)
      .$if(version !== undefined, (qb) => qb.where('version', '=', version as number))
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : { ...toInfo(row), documentJson: row.document_json };
  }

  async findByHash(conversationId: string, contentHash: string): Promise<StoredArchiveDocumentInfo | undefined> {
    const row = await this.ctx.db
      .selectFrom('archive_documents')
      .select(['conversation_id', 'version', 'content_hash', 'archived_at'])
      .where('conversation_id', '=', conversationId)
      .where('content_hash', '=', contentHash)
      .executeTakeFirst();
    return row === undefined ? undefined : toInfo(row);
  }

  /** Every version of a conversation, oldest first. */
  async versions(conversationId: string): Promise<StoredArchiveDocumentInfo[]> {
    const rows = await this.ctx.db
      .selectFrom('archive_documents')
      .select(['conversation_id', 'version', 'content_hash', 'archived_at'])
      .where('conversation_id', '=', conversationId)
      .orderBy('version', 'asc')
      .execute();
    return rows.map(toInfo);
  }

  /** Conversation ids in ascending order, `limit` at a time after `after`. */
  async conversationIds(after: string | undefined, limit: number): Promise<string[]> {
    const rows = await this.ctx.db
      .selectFrom('archive_documents')
      .select('conversation_id')
      .distinct()
      .$if(after !== undefined, (qb) => qb.where('conversation_id', '>', after as string))
      .orderBy('conversation_id')
      .limit(limit)
      .execute();
    return rows.map((row) => row.conversation_id);
  }
}

function toInfo(row: {
  conversation_id: string;
  version: number;
  content_hash: string;
  archived_at: number;
}): StoredArchiveDocumentInfo {
  return {
    conversationId: row.conversation_id,
    version: row.version,
    contentHash: row.content_hash,
    archivedAt: row.archived_at,
  };
}
