import { createHash } from 'node:crypto';

/** A value that JSON cannot represent faithfully; `path` says where (`$.a[2].b`). */
export class CanonicalJsonError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Cannot serialize as canonical JSON at ${path}: ${reason}. Pass plain JSON data.`);
    this.name = 'CanonicalJsonError';
  }
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no insignificant whitespace,
 * strings and numbers as `JSON.stringify` writes them, `undefined` members dropped and
 * `undefined` array items written as null (as JSON.stringify does). For the plain JSON
 * data gcm hashes (archive records, documents, audit records) this is the JSON
 * Canonicalization Scheme (RFC 8785), so any language can reproduce the bytes and the
 * hash. Anything JSON cannot represent faithfully (NaN, Infinity, functions, symbols,
 * bigint, cycles) is rejected rather than silently changed.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, new Set<object>(), '$');
  return parts.join('');
}

/** Lower-case hex sha256 of a string's UTF-8 bytes (or of raw bytes). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hex sha256 of the canonical JSON of `value`. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

function write(value: unknown, out: string[], ancestors: Set<object>, path: string): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} has no JSON representation`);
      out.push(JSON.stringify(value));
      return;
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(path, `a ${typeof value} has no JSON representation`);
  }
  if (value === null) {
    out.push('null');
    return;
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') {
    write(withToJson.toJSON(), out, ancestors, path);
    return;
  }
  if (ancestors.has(value)) throw new CanonicalJsonError(path, 'the value contains a cycle');
  ancestors.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, index) => {
      if (index > 0) out.push(',');
      write(item === undefined ? null : item, out, ancestors, `${path}[${index}]`);
    });
    out.push(']');
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    out.push('{');
    keys.forEach((key, index) => {
      if (index > 0) out.push(',');
      out.push(JSON.stringify(key), ':');
      write(record[key], out, ancestors, `${path}.${key}`);
    });
    out.push('}');
  }
  ancestors.delete(value);
}
