import { canonicalJson, contentHash, sha256Hex } from '../canonical-json';
import type { StoredArchiveDocumentInfo } from '../repositories/archive-document.repository';
import type { StoreRepositories } from '../database/store-database';
import { StoreError, StoreErrorCode } from '../store.error';
import type {
  ArchivedDocument,
  ArchivedVersion,
  ArchivePutResult,
  ArchiveSink,
  ArchiveVerification,
} from './archive-sink';
import { assertConversationId } from './conversation-id';

const PAGE = 500;

/**
 * Archive documents in the database's `archive_documents` table: jsonb on PostgreSQL
 * (queryable next to the rest of the state), JSON text on SQLite. Hashes are computed
 * over canonical JSON, so jsonb's re-spelling of the document does not change them.
 */
export class DatabaseArchiveSink implements ArchiveSink {
  readonly kind = 'database' as const;

  constructor(private readonly store: StoreRepositories) {}

  async put(conversationId: string, document: unknown): Promise<ArchivePutResult> {
    const id = assertConversationId(conversationId);
    const json = canonicalJson(document);
    const { entry, created } = await this.store.archiveDocuments.put(id, sha256Hex(json), json);
    return { ...toVersion(entry), created };
  }

  async get<Document = unknown>(
    conversationId: string,
    version?: number,
  ): Promise<ArchivedDocument<Document> | undefined> {
    const id = assertConversationId(conversationId);
    const stored = await this.store.archiveDocuments.get(id, version);
    if (stored === undefined) return undefined;
    const document = JSON.parse(stored.documentJson) as Document;
    const actual = contentHash(document);
    if (actual !== stored.contentHash) {
      throw new StoreError(
        StoreErrorCode.ArchiveCorrupted,
        `Archive ${locationOf(stored)} is corrupted: its document hashes to ${actual}, not the recorded ${stored.contentHash}.`,
      );
    }
    return { ...toVersion(stored), document };
  }

  async versions(conversationId: string): Promise<ArchivedVersion[]> {
    return (await this.store.archiveDocuments.versions(assertConversationId(conversationId))).map(toVersion);
  }

  async verify(conversationId: string, version?: number): Promise<ArchiveVerification[]> {
    const id = assertConversationId(conversationId);
    const infos = await this.store.archiveDocuments.versions(id);
    const results: ArchiveVerification[] = [];
    for (const info of infos.filter((candidate) => version === undefined || candidate.version === version)) {
      const stored = await this.store.archiveDocuments.get(id, info.version);
      const base = { conversationId: id, version: info.version, location: locationOf(info) };
      if (stored === undefined) {
        results.push({ ...base, ok: false, problem: 'the version disappeared while being verified' });
        continue;
      }
      const actualHash = contentHash(JSON.parse(stored.documentJson));
      const ok = actualHash === stored.contentHash;
      results.push({
        ...base,
        ok,
        expectedHash: stored.contentHash,
        actualHash,
        ...(ok ? {} : { problem: 'the document does not match its recorded hash' }),
      });
    }
    return results;
  }

  async *conversationIds(): AsyncIterable<string> {
    let after: string | undefined;
    for (;;) {
      const page = await this.store.archiveDocuments.conversationIds(after, PAGE);
      yield* page;
      if (page.length < PAGE) return;
      after = page[page.length - 1];
    }
  }
}

function locationOf(info: StoredArchiveDocumentInfo): string {
  return `database:archive_documents/${info.conversationId}/v${info.version}`;
}

function toVersion(info: StoredArchiveDocumentInfo): ArchivedVersion {
  return {
    conversationId: info.conversationId,
    version: info.version,
    contentHash: info.contentHash,
    location: locationOf(info),
    archivedAt: info.archivedAt,
  };
}
