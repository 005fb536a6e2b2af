import { archiveContentHash, isSyncFailure, type ArchiveRecordOptions, type HistorySync } from '@gcm/history-timeline';
import type { ArchiveSink } from '@gcm/store';
import { buildArchiveRecord } from '../lib/pipeline/archive-record.builder';
import type { ArchivedRecordDocument } from '../lib/pipeline/conversation-archiver';

/** How an archive compares with what it should hold. Every list empty means equal. */
export interface ArchiveInspection {
  readonly conversations: number;
  readonly versions: number;
  /** Expected conversations with no archived version. */
  readonly missing: string[];
  /** Archived conversations nobody expected. */
  readonly unexpected: string[];
  /** Conversations holding the same content more than once, or two files for one version. */
  readonly duplicated: Array<{ conversationId: string; problem: string }>;
  /** Versions whose bytes or record no longer match their hashes. */
  readonly corrupted: Array<{ conversationId: string; version: number; problem: string }>;
  /** Conversations whose newest version is not the expected content. */
  readonly mismatched: Array<{ conversationId: string; expected: string; actual: string }>;
}

/**
 * Compares every conversation in a sink with the expected record hashes (conversation id
 * → `ArchiveRecord.contentHash`): each must be present once, intact, newest version equal
 * to the expectation, and no content may be stored twice.
 */
export async function inspectArchive(sink: ArchiveSink, expected: ReadonlyMap<string, string>): Promise<ArchiveInspection> {
  const seen = new Set<string>();
  const result = {
    conversations: 0,
    versions: 0,
    missing: [] as string[],
    unexpected: [] as string[],
    duplicated: [] as ArchiveInspection['duplicated'],
    corrupted: [] as ArchiveInspection['corrupted'],
    mismatched: [] as ArchiveInspection['mismatched'],
  };
  for await (const conversationId of sink.conversationIds()) {
    seen.add(conversationId);
    result.conversations++;
    if (!expected.has(conversationId)) result.unexpected.push(conversationId);
    const checks = await sink.verify(conversationId);
    result.versions += checks.length;
    for (const check of checks) {
      if (!check.ok) {
        const problem = check.problem ?? 'hash mismatch';
        if (/claims version/.test(problem)) result.duplicated.push({ conversationId, problem });
        else result.corrupted.push({ conversationId, version: check.version, problem });
      }
    }
    const recordHashes: string[] = [];
    for (const version of await sink.versions(conversationId)) {
      const stored = await sink.get<ArchivedRecordDocument>(conversationId, version.version);
      if (!stored) continue;
      const actual = archiveContentHash(stored.document);
      if (actual !== stored.document.contentHash) {
        result.corrupted.push({ conversationId, version: version.version, problem: `record hash ${stored.document.contentHash} but content hashes to ${actual}` });
      }
      recordHashes.push(stored.document.contentHash);
    }
    if (new Set(recordHashes).size !== recordHashes.length) {
      result.duplicated.push({ conversationId, problem: `the same content is stored in more than one version (${recordHashes.length} versions)` });
    }
    const want = expected.get(conversationId);
    const newest = recordHashes.at(-1);
    if (want !== undefined && newest !== want) result.mismatched.push({ conversationId, expected: want, actual: newest ?? 'none' });
  }
  for (const conversationId of expected.keys()) if (!seen.has(conversationId)) result.missing.push(conversationId);
  return result;
}

/**
 * The record hash each conversation should be archived with: synced directly (e.g.
 * against a fault-free sandbox with the same seed) and built the way the archive builds it.
 */
export async function expectedRecordHashes(
  history: HistorySync,
  conversationIds: Iterable<string> | AsyncIterable<string>,
  /** The end of the window the archive ran over: SLAs of ongoing conversations are evaluated there. */
  windowEndMs: number,
  options: { concurrency?: number; record?: ArchiveRecordOptions } = {},
): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for await (const result of history.syncMany(conversationIds, { concurrency: options.concurrency ?? 8 })) {
    if (isSyncFailure(result)) throw result.error;
    hashes.set(result.conversationId, buildArchiveRecord(result, windowEndMs, { record: options.record }).contentHash);
  }
  return hashes;
}
