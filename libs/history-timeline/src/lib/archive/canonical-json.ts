import { createHash } from 'node:crypto';
import { ArchiveRecordError, ArchiveRecordErrorCode } from './archive-record.error';

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no insignificant whitespace,
 * numbers and strings as `JSON.stringify` writes them, `undefined` members left out. For
 * the JSON data an archive holds this is the JSON Canonicalization Scheme (RFC 8785), so
 * any language can reproduce the bytes and the hash.
 */
export function canonicalJson(value: unknown): string {
  try {
    return write(value);
  } catch (error) {
    if (error instanceof NotJson) throw notSerializable(value);
    throw error;
  }
}

/** Thrown on the fast path, which keeps no path; the slow path then finds where. */
class NotJson extends Error {}

function write(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson();
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += value[i] === undefined ? 'null' : write(value[i]);
        }
        return `${out}]`;
      }
      const withToJson = value as { toJSON?: () => unknown };
      if (typeof withToJson.toJSON === 'function') return write(withToJson.toJSON());
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${write(member)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new NotJson();
  }
}

/** Finds the first value JSON cannot hold and names its path. */
function notSerializable(root: unknown): ArchiveRecordError {
  const find = (value: unknown, path: string): string | undefined => {
    if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return undefined;
    if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is ${value}`;
    if (typeof value !== 'object') return `${path} is a ${typeof value}`;
    const withToJson = value as { toJSON?: () => unknown };
    if (!Array.isArray(value) && typeof withToJson.toJSON === 'function') return find(withToJson.toJSON(), path);
    const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value).map(([k, v]) => [`.${k}`, v]);
    for (const [step, member] of entries) {
      const found = find(member, `${path}${step}`);
      if (found) return found;
    }
    return undefined;
  };
  const where = find(root, '$') ?? '$ holds a value';
  return new ArchiveRecordError(ArchiveRecordErrorCode.NotSerializable, `${where}, which JSON cannot represent.`);
}

/** `sha256:` + lower-case hex SHA-256 of the canonical JSON's UTF-8 bytes. */
export function sha256OfCanonicalJson(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex')}`;
}
