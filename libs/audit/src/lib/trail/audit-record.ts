import { hash } from 'node:crypto';
import { canonicalJson } from '@gcm/canonical-json';

/** prevHash of the very first record of a trail. */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditOutcome = 'success' | 'failure' | 'partial';

/** What a caller records. */
export interface AuditEntry {
  /** who acted: a user, a client id, a job name */
  readonly actor: string;
  /** what was done, dotted: conversation.archived, webhook.delivered */
  readonly action: string;
  /** what it was done to: a conversation id, an endpoint id */
  readonly target?: string | null;
  readonly outcome: AuditOutcome;
  readonly latencyMs?: number | null;
  /** anything else; redacted before it is written */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A record as written: the entry plus its place in the hash chain. */
export interface AuditRecord {
  readonly seq: number;
  /** ISO 8601 UTC */
  readonly ts: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly outcome: AuditOutcome;
  readonly latencyMs: number | null;
  readonly details: Readonly<Record<string, unknown>>;
  /** hash of the previous record (GENESIS_HASH for seq 1) */
  readonly prevHash: string;
  /** sha256 over this record's canonical JSON without `hash` */
  readonly hash: string;
}

/** Anything records can be appended to: the file trail, or a fake in tests. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<AuditRecord>;
}

/*
 * Line format: the canonical JSON of the record without `hash` (sorted keys, no spaces),
 * with `,"hash":"<hex>"` inserted before the closing brace. The hash covers exactly the
 * bytes of that canonical body, so verifying needs no re-serialization: strip the
 * fixed-size suffix, hash, compare.
 */
const HASH_KEY = ',"hash":"';
const SUFFIX_LENGTH = HASH_KEY.length + 64 + 2;
const PREV_HASH_KEY = Buffer.from(',"prevHash":"');
const SEQ_KEY = '","seq":';
const HEX64 = /^[0-9a-f]{64}$/;

export function serializeRecord(record: Omit<AuditRecord, 'hash'>): { line: string; hash: string } {
  const body = canonicalJson(record);
  const digest = hash('sha256', body, 'hex');
  return { line: `${body.slice(0, -1)}${HASH_KEY}${digest}"}\n`, hash: digest };
}

export interface ParsedLine {
  readonly seq: number;
  readonly prevHash: string;
  /** the hash written in the line */
  readonly hash: string;
  /** the hash of the line's body as it is now */
  readonly computedHash: string;
}

/**
 * Reads the chain fields of one line (without its newline). Undefined when the line is
 * not a record line at all. The top-level prevHash is the last `,"prevHash":"` in the
 * body: only seq, target and ts follow it, and inside JSON strings every quote is
 * escaped, so no string value can imitate it.
 */
export function parseRecordLine(line: Buffer): ParsedLine | undefined {
  const length = line.length;
  if (length < SUFFIX_LENGTH + 2 || line[0] !== 0x7b || line[length - 1] !== 0x7d || line[length - 2] !== 0x22) {
    return undefined;
  }
  const suffixStart = length - SUFFIX_LENGTH;
  if (line.toString('latin1', suffixStart, suffixStart + HASH_KEY.length) !== HASH_KEY) return undefined;
  const written = line.toString('latin1', length - 66, length - 2);
  if (!HEX64.test(written)) return undefined;

  const prevAt = line.lastIndexOf(PREV_HASH_KEY, suffixStart);
  if (prevAt < 0) return undefined;
  const prevStart = prevAt + PREV_HASH_KEY.length;
  const prevHash = line.toString('latin1', prevStart, prevStart + 64);
  if (!HEX64.test(prevHash)) return undefined;
  const seqStart = prevStart + 64 + SEQ_KEY.length;
  if (line.toString('latin1', prevStart + 64, seqStart) !== SEQ_KEY) return undefined;
  let seq = 0;
  let cursor = seqStart;
  for (; cursor < suffixStart && line[cursor] >= 0x30 && line[cursor] <= 0x39; cursor++) {
    seq = seq * 10 + (line[cursor] - 0x30);
  }
  if (cursor === seqStart || line[cursor] !== 0x2c) return undefined;

  // the body is the line up to the suffix plus a closing brace: put the brace where the
  // suffix starts for a one-shot hash of contiguous bytes, then put the comma back
  line[suffixStart] = 0x7d;
  const computedHash = hash('sha256', line.subarray(0, suffixStart + 1), 'hex');
  line[suffixStart] = 0x2c;
  return { seq, prevHash, hash: written, computedHash };
}
