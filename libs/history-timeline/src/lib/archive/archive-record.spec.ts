import { FakeClock } from '@gcm/genesys-auth/testing';
import type { MessageData } from '@gcm/messaging-client';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conversationFixture, InMemoryHistorySource, type ConversationFixtureInput } from '../../testing';
import { validateAgainst } from '../../test/json-schema-subset';
import { sampleConversationInput, t } from '../../test/sample-conversation';
import { HistorySync } from '../history-sync.service';
import type { Timeline } from '../timeline.model';
import { ArchiveRecordErrorCode } from './archive-record.error';
import {
  ARCHIVE_SCHEMA_VERSION,
  archiveContentHash,
  parseArchiveRecord,
  serializeArchiveRecord,
  toArchiveRecord,
  verifyArchiveRecord,
  type ArchiveRecord,
  transcriptSourceOfArchive,
} from './archive-record';
import { ARCHIVE_RECORD_JSON_SCHEMA } from './archive-record.schema';
import { canonicalJson } from './canonical-json';
import { REDACTED_VALUE } from './redaction';
import { renderTranscriptMarkdown } from '../render/transcript.renderer';

/**
 * The content hash of the sample conversation's record. It depends only on the content, so
 * it is the same in every run, on every machine; if a deliberate change of the record format
 * moves it, that is a schema change: bump ARCHIVE_SCHEMA_VERSION.
 */
const GOLDEN_HASH = 'sha256:fba16f58e17ffb62805149216ece3905a5ced5cdc52d2582cf0e7c0b979d9d1d';

async function timelineOf(input: ConversationFixtureInput, at = '2026-03-01T12:00:00.000Z', rewrite?: (m: MessageData) => MessageData): Promise<Timeline> {
  const source = new InMemoryHistorySource([conversationFixture(input)]);
  if (rewrite) source.rewriteMessage(rewrite);
  return new HistorySync({ source, clock: new FakeClock(at) }).sync(input.id);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}

/** Rebuilds an object with its keys in reverse order, all the way down. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, writes no whitespace and leaves out undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('is independent of key insertion order', () => {
    const value = { messages: [{ id: 'm1', text: 'é 😀 "quoted"\n', at: 1 }], conversation: { id: 'c', divisionIds: ['d'] } };
    expect(canonicalJson(reverseKeys(value))).toBe(canonicalJson(value));
  });

  it('writes strings and numbers as JSON.stringify does (RFC 8785 for this data)', () => {
    expect(canonicalJson(['é', '😀', '\u2028', 'a\tb', 1e21, 0.1, -0, 5])).toBe('["é","😀","\u2028","a\\tb",1e+21,0.1,0,5]');
  });

  it('sorts keys by UTF-16 code units', () => {
    expect(canonicalJson({ b: 1, B: 2, é: 3, a: 4, '10': 5, '9': 6 })).toBe('{"10":5,"9":6,"B":2,"a":4,"b":1,"é":3}');
  });

  it('refuses values JSON cannot hold, naming where', () => {
    expect(() => canonicalJson({ sla: { p50Ms: Number.NaN } })).toThrow(expect.objectContaining({ code: ArchiveRecordErrorCode.NotSerializable, message: expect.stringContaining('$.sla.p50Ms') }));
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });
});

describe('archive record', () => {
  let timeline: Timeline;
  let record: ArchiveRecord;

  beforeAll(async () => {
    timeline = await timelineOf(sampleConversationInput());
    record = toArchiveRecord(timeline);
  });

  it('holds the versioned sections, media once with references from the messages, and sync metadata apart', () => {
    expect(Object.keys(record).sort()).toEqual(
      ['contentHash', 'conversation', 'droppedDuplicates', 'integrity', 'media', 'messages', 'participants', 'recordType', 'redaction', 'schemaVersion', 'sla', 'sync'].sort(),
    );
    expect(record.schemaVersion).toBe(ARCHIVE_SCHEMA_VERSION);
    expect(record.messages.find((m) => m.id === 'm3')?.attachmentIds).toEqual(['att-1']);
    expect(record.media).toEqual([
      { id: 'att-1', messageId: 'm3', mediaType: 'Image', mime: 'image/png', filename: 'photo.png', sizeBytes: 1234, sha256: 'ab'.repeat(32), urlPath: '/att-1/photo.png' },
    ]);
    expect(record.sync.media).toEqual([
      {
        id: 'att-1',
        messageId: 'm3',
        url: timeline.messages[2].attachments[0].url,
        fetchedAt: '2026-03-01T12:00:00.000Z',
        expiresAt: '2026-03-01T10:11:00.000Z',
      },
    ]);
    expect(record.redaction).toEqual({ applied: false, messageText: false, fields: [], marker: REDACTED_VALUE });
  });

  it('validates against the JSON Schema shipped with the lib (clean, anomalous and redacted records)', async () => {
    const onDisk = JSON.parse(readFileSync(join(__dirname, 'archive-record.v1.schema.json'), 'utf8'));
    expect(onDisk).toEqual(ARCHIVE_RECORD_JSON_SCHEMA);
    const anomalous = await timelineOf(
      sampleConversationInput({
        messages: [
          ...sampleConversationInput().messages,
          { id: 'm5-copy', participantId: 'p-cust', timestamp: t(121), text: 'Thanks!', providerMessageId: 'pv-5' },
          { id: 'gone', participantId: 'p-cust', timestamp: t(9000), text: 'lost' },
        ],
        lists: { 'p-cust': ['m3', 'm1', 'm1', 'm5', 'm5-copy', 'gone'], 'p-agent': ['m2', 'm4'] },
        withoutBodies: ['gone'],
        endTime: t(3600 * 5),
      }),
    );
    expect(anomalous.integrity.clean).toBe(false);
    for (const candidate of [
      record,
      toArchiveRecord(anomalous),
      toArchiveRecord(timeline, { redact: { messageText: true, fields: ['participants[].name', 'participants[].attributes.*', 'media[].filename'] } }),
    ]) {
      expect(validateAgainst(ARCHIVE_RECORD_JSON_SCHEMA, JSON.parse(serializeArchiveRecord(candidate)))).toEqual([]);
    }
    // and the validator does reject what the schema forbids
    expect(validateAgainst(ARCHIVE_RECORD_JSON_SCHEMA, { ...record, extra: 1 })).toEqual(['$: unexpected property extra']);
    expect(validateAgainst(ARCHIVE_RECORD_JSON_SCHEMA, { ...record, messages: [{ ...record.messages[0], direction: 'sideways' }] })[0]).toMatch(/messages\[0\]\.direction/);
  });

  it('has a content hash that is the same in every run (golden value)', () => {
    expect(record.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(record.contentHash).toBe(GOLDEN_HASH);
  });

  it('serializes canonically: sorted keys, no insignificant whitespace, parseable back to the same record', () => {
    const json = serializeArchiveRecord(record);
    expect(json.startsWith('{"contentHash":"sha256:')).toBe(true);
    // what JSON.stringify writes without indentation, keys sorted: no whitespace outside strings
    expect(json).toBe(JSON.stringify(sortKeys(JSON.parse(json))));
    expect(parseArchiveRecord(json)).toEqual(JSON.parse(json));
    expect(serializeArchiveRecord(reverseKeys(record) as ArchiveRecord)).toBe(json);
  });

  it('the hash ignores key order and everything in sync: sync time, fetch time, presigned URL host and query', async () => {
    const later = await timelineOf(sampleConversationInput(), '2026-03-02T08:00:00.000Z', (message) => {
      for (const content of message.normalizedMessage?.content ?? []) {
        if (content.attachment?.url) content.attachment.url = content.attachment.url.replace('https://media.example/', 'https://cdn-2.example:8443/').replace('X-Amz-Signature=aaa', 'X-Amz-Signature=bbb');
      }
      return message;
    });
    const again = toArchiveRecord(later);
    expect(again.sync.syncedAt).not.toBe(record.sync.syncedAt);
    expect(again.sync.media[0].url).not.toBe(record.sync.media[0].url);
    expect(again.contentHash).toBe(record.contentHash);
    expect(archiveContentHash(reverseKeys(record) as ArchiveRecord)).toBe(record.contentHash);
  });

  describe('the hash changes when any message changes', () => {
    const base = sampleConversationInput();
    const [photo] = base.messages[2].attachments ?? [];
    const receipts = base.messages[3].receipts ?? [];
    const edit = (k: number, change: Partial<ConversationFixtureInput['messages'][number]>) =>
      sampleConversationInput({ messages: base.messages.map((m, i) => (i === k ? { ...m, ...change } : m)) });
    it.each([
      ['its text', edit(0, { text: 'Hello, my order is LATE' })],
      ['one character of whitespace in its text', edit(0, { text: 'Hello, my order is late ' })],
      ['its timestamp', edit(4, { timestamp: t(121) })],
      ['its attachment bytes (sha256)', edit(2, { attachments: [{ ...photo, sha256: 'cd'.repeat(32) }] })],
      ['its attachment file name', edit(2, { attachments: [{ ...photo, filename: 'photo2.png' }] })],
      ['a new receipt', edit(3, { receipts: [...receipts, { status: 'Read', time: t(600) }], status: 'read' })],
      ['its providerMessageId', edit(1, { providerMessageId: 'pv-other' })],
      ['a message added', sampleConversationInput({ messages: [...base.messages, { id: 'm6', participantId: 'p-cust', timestamp: t(130), text: 'bye' }] })],
      ['a message removed', sampleConversationInput({ messages: base.messages.slice(0, 4) })],
    ])('%s', async (_what, input) => {
      const changed = toArchiveRecord(await timelineOf(input));
      expect(changed.contentHash).not.toBe(record.contentHash);
      expect(verifyArchiveRecord(changed).valid).toBe(true);
    });
  });

  describe('verification', () => {
    it('a tampered record fails its hash check', () => {
      const tampered = JSON.parse(serializeArchiveRecord(record)) as ArchiveRecord;
      tampered.messages[0].text = 'something else';
      expect(verifyArchiveRecord(tampered)).toEqual({ valid: false, expected: record.contentHash, actual: expect.stringMatching(/^sha256:/) });
      expect(() => parseArchiveRecord(JSON.stringify(tampered))).toThrow(expect.objectContaining({ code: ArchiveRecordErrorCode.HashMismatch }));
    });

    it('sync metadata may change without breaking the hash', () => {
      const touched = JSON.parse(serializeArchiveRecord(record)) as ArchiveRecord;
      touched.sync.syncedAt = '2030-01-01T00:00:00.000Z';
      expect(parseArchiveRecord(JSON.stringify(touched)).contentHash).toBe(record.contentHash);
    });

    it('refuses other schema versions and things that are not records', () => {
      expect(() => parseArchiveRecord(JSON.stringify({ ...record, schemaVersion: 2 }))).toThrow(expect.objectContaining({ code: ArchiveRecordErrorCode.UnsupportedSchemaVersion }));
      expect(() => parseArchiveRecord('{"recordType":"x"}')).toThrow(expect.objectContaining({ code: ArchiveRecordErrorCode.Malformed }));
      expect(() => parseArchiveRecord('not json')).toThrow(expect.objectContaining({ code: ArchiveRecordErrorCode.Malformed }));
    });
  });

  describe('redaction', () => {
    it('message text: every text replaced, the record says so, the timeline is untouched', () => {
      const redacted = toArchiveRecord(timeline, { redact: { messageText: true } });
      expect(redacted.messages.map((m) => m.text ?? null)).toEqual([REDACTED_VALUE, REDACTED_VALUE, null, REDACTED_VALUE, REDACTED_VALUE]);
      expect(redacted.redaction).toEqual({ applied: true, messageText: true, fields: [], marker: REDACTED_VALUE });
      expect(redacted.contentHash).not.toBe(record.contentHash);
      expect(verifyArchiveRecord(redacted).valid).toBe(true);
      expect(timeline.messages[0].text).toBe('Hello, my order is late');
      expect(serializeArchiveRecord(redacted)).not.toContain('my order is late');
    });

    it('configured PII fields, with [] for arrays and * for every member', () => {
      const redacted = toArchiveRecord(timeline, { redact: { fields: ['participants[].name', 'participants[].attributes.*', 'media[].filename', 'participants[].name'] } });
      expect(redacted.participants.map((p) => p.name)).toEqual([REDACTED_VALUE, REDACTED_VALUE, REDACTED_VALUE]);
      expect(redacted.participants[0].attributes).toEqual({ customerId: REDACTED_VALUE });
      expect(redacted.media[0].filename).toBe(REDACTED_VALUE);
      expect(redacted.messages[0].text).toBe('Hello, my order is late');
      expect(redacted.redaction).toEqual({ applied: true, messageText: false, fields: ['media[].filename', 'participants[].attributes.*', 'participants[].name'], marker: REDACTED_VALUE });
      const json = serializeArchiveRecord(redacted);
      expect(json).not.toContain('Jane Doe');
      expect(json).not.toContain('C123456');
    });

    it('the same redaction gives the same hash (a redacted archive is still a no-op when re-archived)', async () => {
      const options = { redact: { messageText: true, fields: ['participants[].name'] } };
      const later = await timelineOf(sampleConversationInput(), '2026-03-05T00:00:00.000Z');
      expect(toArchiveRecord(later, options).contentHash).toBe(toArchiveRecord(timeline, options).contentHash);
    });

    it.each([
      ['sync.syncedAt', /must start with/],
      ['contentHash', /must start with/],
      ['messages', /whole section or an identifier/],
      ['messages[].id', /whole section or an identifier/],
      ['messages[].timestamp', /whole section or an identifier/],
      ['participants[].listedMessages', /only text can be redacted/],
      ['participants[', /unreadable part/],
      ['', /empty/],
    ])('refuses the path %p', (path, message) => {
      expect(() => toArchiveRecord(timeline, { redact: { fields: [path] } })).toThrow(expect.objectContaining({ code: ArchiveRecordErrorCode.InvalidRedactionPath, message: expect.stringMatching(message) }));
    });
  });

  it('reads back as a transcript source: the same Markdown as the timeline, but attachments without their expired URL', () => {
    const { sync: _sync, ...stored } = JSON.parse(JSON.stringify(record)) as ArchiveRecord;
    const source = transcriptSourceOfArchive(stored);
    expect(source.messages.map((m) => m.id)).toEqual(timeline.messages.map((m) => m.id));
    expect(source.messages.find((m) => m.id === 'm3')?.attachments).toEqual([
      { id: 'att-1', filename: 'photo.png', mime: 'image/png', sizeBytes: 1234, sha256: 'ab'.repeat(32) },
    ]);
    const withoutUrls = { ...timeline, messages: timeline.messages.map((m) => ({ ...m, attachments: m.attachments.map(({ url: _url, ...a }) => a) })) };
    expect(renderTranscriptMarkdown(source, { receipts: true })).toBe(renderTranscriptMarkdown(withoutUrls, { receipts: true }));
  });
});
