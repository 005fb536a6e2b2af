import { createHash } from 'node:crypto';
import { StoreError, StoreErrorCode } from './store.error';

/**
 * Serializes a JSON value with object keys sorted (by UTF-16 code units) and no
 * whitespace, so equal values always produce equal bytes and therefore equal hashes.
 * `undefined` object members are dropped as JSON.stringify does; everything JSON cannot
 * represent faithfully (NaN, Infinity, functions, symbols, bigint, cycles) is rejected
 * rather than silently changed.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, new Set<object>(), '$');
  return parts.join('');
}

/** Hex sha256 of a string's UTF-8 bytes (or of raw bytes). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The content hash the archive uses: sha256 over the canonical JSON of the document. */
export function contentHash(document: unknown): string {
  return sha256Hex(canonicalJson(document));
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
      if (!Number.isFinite(value)) {
        throw invalid(path, `${value} has no JSON representation`);
      }
      out.push(JSON.stringify(value));
      return;
    case 'object':
      break;
    default:
      throw invalid(path, `a ${typeof value} has no JSON representation`);
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
  if (ancestors.has(value)) {
    throw invalid(path, 'the value contains a cycle');
  }
  ancestors.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, index) => {
      if (index > 0) out.push(',');
      // JSON.stringify writes null for holes and undefined array items; so do we
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

function invalid(path: string, reason: string): StoreError {
  return new StoreError(
    StoreErrorCode.InvalidDocument,
    `Cannot serialize the document as canonical JSON at ${path}: ${reason}. Pass plain JSON data.`,
  );
}
