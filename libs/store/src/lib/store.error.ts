/** What went wrong in the store, so callers can react without parsing messages. */
export enum StoreErrorCode {
  /** The database URL is malformed or names an engine the store does not support. */
  InvalidDatabaseUrl = 'INVALID_DATABASE_URL',
  /** The database could not be opened or reached. */
  ConnectionFailed = 'CONNECTION_FAILED',
  /** A schema migration failed; the database is left at the last successful version. */
  MigrationFailed = 'MIGRATION_FAILED',
  /** A conversation id is not a Genesys id (UUID) and cannot name an archive location. */
  InvalidConversationId = 'INVALID_CONVERSATION_ID',
  /** A value cannot be serialized as canonical JSON (cycles, NaN, functions ...). */
  InvalidDocument = 'INVALID_DOCUMENT',
  /** An archived document no longer matches the hash it was written with. */
  ArchiveCorrupted = 'ARCHIVE_CORRUPTED',
  /** Concurrent writers kept winning a race; the operation can be retried. */
  Conflict = 'CONFLICT',
  /** A row the caller referred to does not exist. */
  NotFound = 'NOT_FOUND',
  /** An argument is outside what the operation accepts (the message names it and the limit). */
  InvalidArgument = 'INVALID_ARGUMENT',
  /**
   * The database stayed unreachable (or locked) for the whole retry budget. The message
   * names where and why (`the database at 127.0.0.1:5432 is unreachable (ECONNREFUSED);
   * retried for 60 s`); running the operation again later continues it.
   */
  Unavailable = 'UNAVAILABLE',
  /**
   * A global condition of the disk or the database: full, over quota, read-only, or not
   * writable. The message names the place and the cause (ENOSPC, EROFS, …).
   */
  StorageFault = 'STORAGE_FAULT',
  /** The handle was used after `close()`. */
  Closed = 'CLOSED',
}

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
