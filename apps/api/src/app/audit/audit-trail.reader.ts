import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AuditOutcome, AuditRecord } from '@gcm/audit';

export interface AuditQuery {
  readonly actor?: string;
  readonly action?: string;
  /** Matches actions starting with this (e.g. `guest-session.`). */
  readonly actionPrefix?: string;
  readonly target?: string;
  readonly outcome?: AuditOutcome;
  /** Inclusive lower bound on `ts`, epoch ms. */
  readonly fromMs?: number;
  /** Exclusive upper bound on `ts`, epoch ms. */
  readonly toMs?: number;
  /** Records with a seq above this (the previous page's cursor). */
  readonly afterSeq?: number;
  readonly limit: number;
}

export interface AuditPage {
  readonly items: AuditRecord[];
  /** Pass as `after` for the next page; absent on the last page. */
  readonly nextCursor?: number;
}

/**
 * Reads the API's audit trail for GET /audit. The audit lib writes and verifies the trail
 * but has no query API, so this reads its documented layout: JSONL files named
 * `<prefix>-<YYYYMMDD>-<first seq, 12 digits>.jsonl`, one record per line, in seq order.
 * Files wholly before the cursor are skipped by their name; each file is streamed, so a
 * page costs memory for the page only.
 */
export class AuditTrailReader {
  constructor(
    private readonly directory: string,
    private readonly prefix = 'audit',
  ) {}

  async page(query: AuditQuery): Promise<AuditPage> {
    const files = await this.files();
    const afterSeq = query.afterSeq ?? 0;
    const items: AuditRecord[] = [];
    for (let index = 0; index < files.length; index++) {
      const next = files[index + 1];
      // every record of this file has a seq below the next file's first seq
      if (next && next.firstSeq <= afterSeq + 1) continue;
      const lines = createInterface({ input: createReadStream(join(this.directory, files[index].name), { encoding: 'utf8' }), crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          const record = parse(line);
          if (!record || record.seq <= afterSeq || !matches(record, query)) continue;
          if (items.length === query.limit) return { items, nextCursor: items[items.length - 1].seq };
          items.push(record);
        }
      } finally {
        lines.close();
      }
    }
    return { items };
  }

  private async files(): Promise<Array<{ name: string; firstSeq: number }>> {
    const pattern = new RegExp(`^${this.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{8}-(\\d{12,})\\.jsonl$`);
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .map((name) => ({ name, match: pattern.exec(name) }))
      .filter((file): file is { name: string; match: RegExpExecArray } => file.match !== null)
      .map((file) => ({ name: file.name, firstSeq: Number(file.match[1]) }))
      .sort((a, b) => a.firstSeq - b.firstSeq);
  }
}

function parse(line: string): AuditRecord | undefined {
  if (line.trim() === '') return undefined;
  try {
    const record = JSON.parse(line) as AuditRecord;
    return typeof record.seq === 'number' ? record : undefined;
  } catch {
    // a torn or damaged line: GET /audit/verify reports it; the listing skips it
    return undefined;
  }
}

function matches(record: AuditRecord, query: AuditQuery): boolean {
  if (query.actor !== undefined && record.actor !== query.actor) return false;
  if (query.action !== undefined && record.action !== query.action) return false;
  if (query.actionPrefix !== undefined && !record.action.startsWith(query.actionPrefix)) return false;
  if (query.target !== undefined && record.target !== query.target) return false;
  if (query.outcome !== undefined && record.outcome !== query.outcome) return false;
  if (query.fromMs !== undefined || query.toMs !== undefined) {
    const ts = Date.parse(record.ts);
    if (query.fromMs !== undefined && ts < query.fromMs) return false;
    if (query.toMs !== undefined && ts >= query.toMs) return false;
  }
  return true;
}
