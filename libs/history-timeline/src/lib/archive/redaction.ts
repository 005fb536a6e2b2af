import { ArchiveRecordError, ArchiveRecordErrorCode } from './archive-record.error';

/** What replaces a redacted value. */
export const REDACTED_VALUE = '[REDACTED]';

export interface RedactionOptions {
  /** Replace the text of every message (and dropped duplicate). */
  messageText?: boolean;
  /**
   * Further fields, as paths into the record's content: `.` between names, `[]` for every
   * element of an array, `*` for every member of an object. E.g. `participants[].name`,
   * `participants[].address`, `participants[].attributes.*`, `participants[].attributes.customerId`,
   * `media[].filename`.
   */
  fields?: readonly string[];
}

/** Top-level sections a path may reach into; ids, hashes and sync metadata stay. */
const REDACTABLE_SECTIONS = new Set(['conversation', 'participants', 'messages', 'droppedDuplicates', 'media', 'integrity', 'sla']);
/** Names that tie a record together or order it; redacting them would break it, not protect anyone. */
const PROTECTED_LEAVES = new Set(['id', 'messageId', 'participantId', 'attachmentIds', 'keptMessageId', 'duplicateMessageIds', 'timestamp']);

type Segment = { name: string; each: boolean } | { wildcard: true };

export function parseRedactionPath(path: string): Segment[] {
  const fail = (why: string): never => {
    throw new ArchiveRecordError(ArchiveRecordErrorCode.InvalidRedactionPath, `Redaction path "${path}" ${why}.`);
  };
  if (typeof path !== 'string' || path.trim() === '') fail('is empty');
  const segments = path.split('.').map((part): Segment => {
    if (part === '*') return { wildcard: true };
    const m = /^([A-Za-z0-9_-]+)(\[\])?$/.exec(part);
    if (!m) return fail(`has an unreadable part "${part}" (use name, name[] or *)`);
    return { name: m[1], each: m[2] === '[]' };
  });
  const first = segments[0];
  if (!('name' in first) || !REDACTABLE_SECTIONS.has(first.name)) {
    fail(`must start with one of ${[...REDACTABLE_SECTIONS].join(', ')}`);
  }
  const last = segments[segments.length - 1];
  if (segments.length === 1 || ('name' in last && PROTECTED_LEAVES.has(last.name))) {
    fail('names a whole section or an identifier; name the personal fields inside it');
  }
  return segments;
}

/**
 * Replaces, in place, the text the path reaches: a string becomes the marker, and inside an
 * object or array every string does. Returns how many strings were replaced. Numbers and
 * booleans are not personal data in this record; a path that reaches one is refused
 * rather than silently ignored.
 */
export function redactPath(target: Record<string, unknown>, segments: readonly Segment[], path: string): number {
  let count = 0;
  const redactValue = (value: unknown, where: string): unknown => {
    if (value === null || value === undefined) return value;
    if (typeof value === 'string') {
      count++;
      return REDACTED_VALUE;
    }
    if (Array.isArray(value)) return value.map((item, i) => redactValue(item, `${where}[${i}]`));
    if (typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) record[key] = redactValue(record[key], `${where}.${key}`);
      return record;
    }
    throw new ArchiveRecordError(
      ArchiveRecordErrorCode.InvalidRedactionPath,
      `Redaction path "${path}" reaches ${where}, a ${typeof value}; only text can be redacted.`,
    );
  };
  const visit = (node: unknown, index: number, where: string): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    const segment = segments[index];
    const record = node as Record<string, unknown>;
    const keys = 'wildcard' in segment ? Object.keys(record) : [segment.name];
    const each = 'each' in segment && segment.each;
    for (const key of keys) {
      if (!(key in record)) continue;
      const value = record[key];
      if (index === segments.length - 1) {
        record[key] = redactValue(value, `${where}.${key}`);
      } else if (each) {
        if (Array.isArray(value)) value.forEach((item, i) => visit(item, index + 1, `${where}.${key}[${i}]`));
      } else {
        visit(value, index + 1, `${where}.${key}`);
      }
    }
  };
  visit(target, 0, '$');
  return count;
}
