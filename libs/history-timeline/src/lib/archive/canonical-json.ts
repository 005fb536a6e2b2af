import { createHash } from 'node:crypto';
import { ArchiveRecordError, ArchiveRecordErrorCode } from './archive-record.error';

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no insignificant whitespace,
 * numbers and strings as `JSON.stringify` writes them, `undefined` members left out. For
 * the JSON data an archive holds this is the JSON Canonicalization Scheme (RFC 8785), so
 * any language can reproduce the bytes and the hash.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new ArchiveRecordError(ArchiveRecordErrorCode.NotSerializable, `${path} is ${value}, which JSON cannot represent.`);
      }
      return JSON.stringify(value);
    case 'object': {
      const withToJson = value as { toJSON?: () => unknown };
      if (typeof withToJson.toJSON === 'function') return write(withToJson.toJSON(), path);
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => (item === undefined ? 'null' : write(item, `${path}[${i}]`))).join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${write(record[key], `${path}.${key}`)}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new ArchiveRecordError(ArchiveRecordErrorCode.NotSerializable, `${path} is a ${typeof value}, which JSON cannot represent.`);
  }
}

/** `sha256:` + lower-case hex SHA-256 of the canonical JSON's UTF-8 bytes. */
export function sha256OfCanonicalJson(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex')}`;
}
