export enum ArchiveRecordErrorCode {
  /** A value JSON cannot hold (NaN, Infinity, a function…); `message` gives its path. */
  NotSerializable = 'NOT_SERIALIZABLE',
  /** A redaction path names no field of the record, or a field that must stay (ids, hashes, sync metadata). */
  InvalidRedactionPath = 'INVALID_REDACTION_PATH',
  /** The text is not JSON, or not an archive record. */
  Malformed = 'MALFORMED',
  /** A record written by a newer or unknown schema version. */
  UnsupportedSchemaVersion = 'UNSUPPORTED_SCHEMA_VERSION',
  /** The stored contentHash does not match the content: the record was altered or damaged. */
  HashMismatch = 'HASH_MISMATCH',
}

export class ArchiveRecordError extends Error {
  constructor(
    readonly code: ArchiveRecordErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
