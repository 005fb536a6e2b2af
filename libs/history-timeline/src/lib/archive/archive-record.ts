import type { IntegrityReport } from '../integrity/integrity-report';
import { dropUndefined } from '../normalize/timeline-message.mapper';
import type { TranscriptSource } from '../render/transcript.renderer';
import type { ReceiptSlaReport } from '../sla/receipt-sla';
import type { SyncMetadata, Timeline, TimelineConversation, TimelineMessage, TimelineParticipant } from '../timeline.model';
import { ArchiveRecordError, ArchiveRecordErrorCode } from './archive-record.error';
import { canonicalJson, sha256OfCanonicalJson } from './canonical-json';
import { parseRedactionPath, REDACTED_VALUE, redactPath, type RedactionOptions } from './redaction';

export const ARCHIVE_SCHEMA_VERSION = 1;
export const ARCHIVE_RECORD_TYPE = 'gcm.conversation-archive';

/** A message in the record: its attachments are listed once, under `media`, and referenced by id. */
export type ArchivedMessage = Omit<TimelineMessage, 'attachments'> & { attachmentIds: string[] };

/**
 * An attachment's content: what it is, not where it can be fetched today. The presigned URL
 * expires and its signature changes on every read, so it lives in `sync.media`; only its
 * path (`urlPath`, no host, query or fragment) is content.
 */
export interface ArchivedMedia {
  id: string;
  messageId: string;
  mediaType?: string;
  mime?: string;
  filename?: string;
  sizeBytes?: number;
  sha256?: string;
  urlPath?: string;
}

export interface ArchivedMediaLocation {
  id: string;
  messageId: string;
  url?: string;
  fetchedAt: string;
  expiresAt?: string;
}

export interface ArchiveRedaction {
  applied: boolean;
  messageText: boolean;
  /** The field paths redacted (sorted), besides message text. */
  fields: string[];
  /** What replaced each redacted value. */
  marker: string;
}

/** Everything the content hash covers. */
export interface ArchiveContent {
  schemaVersion: typeof ARCHIVE_SCHEMA_VERSION;
  recordType: typeof ARCHIVE_RECORD_TYPE;
  conversation: TimelineConversation;
  participants: TimelineParticipant[];
  messages: ArchivedMessage[];
  droppedDuplicates: ArchivedMessage[];
  media: ArchivedMedia[];
  integrity: IntegrityReport;
  sla: ReceiptSlaReport;
  redaction: ArchiveRedaction;
}

/** Schema version 1 of the archive record (documented in the README and `archive-record.v1.schema.json`). */
export interface ArchiveRecord extends ArchiveContent {
  /** `sha256:` + hex SHA-256 of the canonical JSON of the record without `contentHash` and `sync`. */
  contentHash: string;
  /** How and when this copy was made; not covered by the hash. */
  sync: SyncMetadata & { media: ArchivedMediaLocation[] };
}

export interface ArchiveRecordOptions {
  redact?: RedactionOptions;
}

/**
 * Builds the archive record of a timeline. Two syncs of an unchanged conversation give the
 * same `contentHash` (sync times, fetch times and presigned URLs are outside it), so a sink
 * can skip re-archiving when the hash is the one it already holds.
 */
export function toArchiveRecord(timeline: Timeline, options: ArchiveRecordOptions = {}): ArchiveRecord {
  const fields = [...new Set(options.redact?.fields ?? [])].sort();
  const parsed = fields.map((path) => ({ path, segments: parseRedactionPath(path) }));
  const messageText = options.redact?.messageText === true;
  const messages = [...timeline.messages, ...timeline.droppedDuplicates];

  const content: ArchiveContent = {
    schemaVersion: ARCHIVE_SCHEMA_VERSION,
    recordType: ARCHIVE_RECORD_TYPE,
    conversation: clone(timeline.conversation),
    participants: clone(timeline.participants),
    messages: timeline.messages.map(archivedMessage),
    droppedDuplicates: timeline.droppedDuplicates.map(archivedMessage),
    media: messages.flatMap((m) =>
      m.attachments.map((a) =>
        dropUndefined({
          id: a.id,
          messageId: a.messageId,
          mediaType: a.mediaType,
          mime: a.mime,
          filename: a.filename,
          sizeBytes: a.sizeBytes,
          sha256: a.sha256,
          urlPath: urlPath(a.url),
        }),
      ),
    ),
    integrity: clone(timeline.integrity),
    sla: clone(timeline.sla),
    redaction: { applied: messageText || fields.length > 0, messageText, fields, marker: REDACTED_VALUE },
  };
  if (messageText) {
    for (const message of [...content.messages, ...content.droppedDuplicates]) if (message.text !== undefined) message.text = REDACTED_VALUE;
  }
  for (const { path, segments } of parsed) redactPath(content as unknown as Record<string, unknown>, segments, path);

  return {
    ...content,
    contentHash: archiveContentHash(content),
    sync: {
      ...clone(timeline.sync),
      media: messages.flatMap((m) =>
        m.attachments.map((a) => dropUndefined({ id: a.id, messageId: a.messageId, url: a.url, fetchedAt: a.fetchedAt, expiresAt: a.expiresAt })),
      ),
    },
  };
}

/** The hash of a record's content: everything but `contentHash` and `sync`. */
export function archiveContentHash(record: ArchiveContent | ArchiveRecord): string {
  const { contentHash: _hash, sync: _sync, ...content } = record as ArchiveRecord;
  return sha256OfCanonicalJson(content);
}

/** The record's canonical JSON (sorted keys, no whitespace): the bytes a sink should store. */
export function serializeArchiveRecord(record: ArchiveRecord): string {
  return canonicalJson(record);
}

/** Whether the stored hash matches the content. */
export function verifyArchiveRecord(record: ArchiveRecord): { valid: boolean; expected: string; actual: string } {
  const actual = archiveContentHash(record);
  return { valid: actual === record.contentHash, expected: record.contentHash, actual };
}

/** Parses a stored record, checking its version and its hash. */
export function parseArchiveRecord(json: string): ArchiveRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ArchiveRecordError(ArchiveRecordErrorCode.Malformed, `The archive record is not JSON: ${(error as Error).message}`);
  }
  const record = value as Partial<ArchiveRecord> | null;
  if (!record || typeof record !== 'object' || record.recordType !== ARCHIVE_RECORD_TYPE || typeof record.contentHash !== 'string') {
    throw new ArchiveRecordError(ArchiveRecordErrorCode.Malformed, `Not a ${ARCHIVE_RECORD_TYPE} record (recordType or contentHash missing).`);
  }
  if (record.schemaVersion !== ARCHIVE_SCHEMA_VERSION) {
    throw new ArchiveRecordError(
      ArchiveRecordErrorCode.UnsupportedSchemaVersion,
      `Archive record schemaVersion ${String(record.schemaVersion)} is not supported; this library reads version ${ARCHIVE_SCHEMA_VERSION}. Upgrade @gcm/history-timeline.`,
    );
  }
  const check = verifyArchiveRecord(record as ArchiveRecord);
  if (!check.valid) {
    throw new ArchiveRecordError(
      ArchiveRecordErrorCode.HashMismatch,
      `Archive record of conversation ${String(record.conversation?.id)} fails its hash check (stored ${check.expected}, content ${check.actual}): it was altered or damaged.`,
    );
  }
  return record as ArchiveRecord;
}

/**
 * An archived record as a transcript source, so the renderers read archives as they read
 * synced timelines. Attachments come back from `media` by id; they have no URL (the record
 * keeps only its path: the presigned URL had expired long ago).
 */
export function transcriptSourceOfArchive(record: ArchiveContent): TranscriptSource {
  const media = new Map(record.media.map((m) => [m.id, m]));
  return {
    conversationId: record.conversation.id,
    conversation: record.conversation,
    participants: record.participants,
    integrity: record.integrity,
    messages: record.messages.map(({ attachmentIds, ...message }) => ({
      ...message,
      attachments: attachmentIds.map((id) => {
        const m = media.get(id);
        return dropUndefined({ id, filename: m?.filename, mime: m?.mime, sizeBytes: m?.sizeBytes, sha256: m?.sha256 });
      }),
    })),
  };
}

function archivedMessage(message: TimelineMessage): ArchivedMessage {
  const { attachments, ...rest } = clone(message);
  return { ...rest, attachmentIds: attachments.map((a) => a.id) };
}

/** The path of a URL: no host (it may differ between regions or runs), no query (the expiring signature). */
export function urlPath(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).pathname;
  } catch {
    return url.split(/[?#]/, 1)[0];
  }
}

/** JSON data copied so that redaction can edit the record without touching the timeline. */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = clone((value as Record<string, unknown>)[key]);
  return copy as T;
}
