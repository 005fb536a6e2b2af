/** One stored version of a conversation's archive document. */
export interface ArchivedVersion {
  readonly conversationId: string;
  /** 1, 2, … per conversation; a new version only when the content changed */
  readonly version: number;
  /** hex sha256 of the document's canonical JSON */
  readonly contentHash: string;
  /** where the sink keeps it (sink-specific; record it in the archive index) */
  readonly location: string;
  readonly archivedAt: number;
}

export interface ArchivePutResult extends ArchivedVersion {
  /** false when identical content was already archived (nothing was written) */
  readonly created: boolean;
}

export interface ArchivedDocument<Document = unknown> extends ArchivedVersion {
  readonly document: Document;
}

export interface ArchiveVerification {
  readonly conversationId: string;
  readonly version: number;
  readonly location: string;
  readonly ok: boolean;
  readonly expectedHash?: string;
  readonly actualHash?: string;
  /** what is wrong, when not ok */
  readonly problem?: string;
}

/**
 * Where archived conversation documents go. Writes are idempotent by content hash
 * (canonical JSON, sha256): putting the same document twice returns the stored version.
 */
export interface ArchiveSink {
  readonly kind: 'filesystem' | 'database';
  put(conversationId: string, document: unknown): Promise<ArchivePutResult>;
  /** one version, or the latest; verifies the hash and throws ARCHIVE_CORRUPTED on mismatch */
  get<Document = unknown>(conversationId: string, version?: number): Promise<ArchivedDocument<Document> | undefined>;
  /** every version of a conversation, oldest first */
  versions(conversationId: string): Promise<ArchivedVersion[]>;
  /** re-hashes one version, or every version, of a conversation */
  verify(conversationId: string, version?: number): Promise<ArchiveVerification[]>;
  /** every archived conversation id, in ascending order */
  conversationIds(): AsyncIterable<string>;
}
