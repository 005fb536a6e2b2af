import { canonicalJson as serialize, CanonicalJsonError, sha256Hex } from '@gcm/canonical-json';
import { ArchiveRecordError, ArchiveRecordErrorCode } from './archive-record.error';

/**
 * Canonical JSON (`@gcm/canonical-json`: sorted keys, no whitespace, RFC 8785 for this
 * data), with values JSON cannot represent reported as an ArchiveRecordError.
 */
export function canonicalJson(value: unknown): string {
  try {
    return serialize(value);
  } catch (error) {
    if (error instanceof CanonicalJsonError) {
      throw new ArchiveRecordError(ArchiveRecordErrorCode.NotSerializable, `${error.path}: ${error.reason}, which JSON cannot represent.`);
    }
    throw error;
  }
}

/** `sha256:` + lower-case hex SHA-256 of the canonical JSON's UTF-8 bytes. */
export function sha256OfCanonicalJson(value: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(value))}`;
}
