import { createGenesysConnection } from '@gcm/genesys-auth';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { startSandbox, type ConversationAnomaly, type RunningSandbox } from '@gcm/genesys-sandbox';
import { MessagingClient, messageAttachments, messageText, type MessageData } from '@gcm/messaging-client';
import { validateAgainst } from '../test/json-schema-subset';
import { parseArchiveRecord, serializeArchiveRecord, toArchiveRecord } from './archive/archive-record';
import { ARCHIVE_RECORD_JSON_SCHEMA } from './archive/archive-record.schema';
import { renderTranscriptMarkdown } from './render/transcript.renderer';
import { HistorySync } from './history-sync.service';
import { HistorySyncErrorCode, isSyncFailure, type SyncFailure } from './history-sync.error';
import type { Timeline } from './timeline.model';

const NOW = '2026-03-01T12:00:00.000Z';
const CONVERSATIONS = 500;
const SEED = 11;

function connect(sandbox: RunningSandbox, clock: FakeClock): HistorySync {
  const { transport } = createGenesysConnection({
    apiBaseUrl: sandbox.apiBaseUrl,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    transport: { clock, sleep: clock.sleep },
  });
  return new HistorySync({ source: new MessagingClient({ transport, clock }), clock });
}

function anomaliesByConversation(sandbox: RunningSandbox): Map<string, ConversationAnomaly[]> {
  const map = new Map<string, ConversationAnomaly[]>();
  for (const anomaly of sandbox.truth.anomalies()) map.set(anomaly.conversationId, [...(map.get(anomaly.conversationId) ?? []), anomaly]);
  return map;
}

const sortedPairs = (pairs: string[][]) => pairs.map((p) => p.join('>')).sort();

describe(`HistorySync against the sandbox (${CONVERSATIONS} conversations)`, () => {
  let sandbox: RunningSandbox;
  let clock: FakeClock;
  let timelines: Map<string, Timeline>;
  let failures: SyncFailure[];

  beforeAll(async () => {
    clock = new FakeClock(NOW);
    sandbox = await startSandbox({ seed: SEED, conversations: CONVERSATIONS, now: NOW, clock });
    const history = connect(sandbox, clock);
    timelines = new Map();
    failures = [];
    for await (const result of history.syncMany(sandbox.truth.conversationIds(), { concurrency: 8 })) {
      if (isSyncFailure(result)) failures.push(result);
      else timelines.set(result.conversationId, result);
    }
  }, 60_000);

  afterAll(() => sandbox?.close());

  // speed is the timeline-sync benchmark's business (npm run bench), not a timed test's
  it(`syncs all ${CONVERSATIONS} conversations, each once`, () => {
    expect(failures).toEqual([]);
    expect(new Set(timelines.keys())).toEqual(new Set(sandbox.truth.conversationIds()));
    expect(timelines.size).toBe(CONVERSATIONS);
  });

  it('every timeline equals the sandbox truth: messages, order, text, direction, attachments', () => {
    let messages = 0;
    let attachments = 0;
    for (const [id, timeline] of timelines) {
      const truth = sandbox.truth.messages(id) as unknown as MessageData[];
      const actual = timeline.messages.map((m) => ({
        id: m.id,
        timestamp: m.timestamp,
        direction: m.direction,
        text: m.text,
        providerMessageId: m.providerMessageId,
        senderRole: m.senderRole,
        attachments: m.attachments.map(({ id: attachmentId, url, mime, filename, sha256, sizeBytes }) => ({ id: attachmentId, url, mime, filename, sha256, sizeBytes })),
      }));
      const expected = truth.map((m) => ({
        id: m.id,
        timestamp: m.timestamp,
        direction: m.direction,
        text: messageText(m),
        providerMessageId: m.providerMessageId,
        senderRole: m.direction === 'inbound' ? 'customer' : 'agent',
        attachments: messageAttachments(m).map((a) => ({ id: a.id, url: a.url, mime: a.mime, filename: a.filename, sha256: a.sha256, sizeBytes: a.contentSizeBytes })),
      }));
      expect(actual).toEqual(expected);
      messages += actual.length;
      attachments += actual.reduce((n, m) => n + m.attachments.length, 0);
    }
    // the data set is big enough to mean something
    expect(messages).toBeGreaterThan(10_000);
    expect(attachments).toBeGreaterThan(100);
  });

  it('participants match the truth, and their histories follow the state machine', () => {
    for (const [id, timeline] of timelines) {
      const truth = sandbox.truth.conversation(id);
      if (!truth) throw new Error(`the truth does not know ${id}`);
      expect({
        start: timeline.conversation.startTime,
        end: timeline.conversation.endTime,
        participants: timeline.participants.map((p) => [p.id, p.purpose, p.state, p.listedMessages]),
        violations: timeline.participants.flatMap((p) => p.stateViolations),
      }).toEqual({
        start: truth.startTime,
        end: truth.endTime,
        participants: truth.participants.map((p) => [p.id, p.purpose, p.state, p.messageIds.length]),
        violations: [],
      });
      const agent = timeline.participants.find((p) => p.purpose === 'agent' && p.state === 'disconnected');
      if (agent) expect(agent.stateHistory.map((t) => t.kind === 'wrapup' ? 'wrapup' : t.to)).toEqual(['alerting', 'connected', 'disconnected', 'wrapup']);
    }
  });

  it('reports every seeded out-of-order pair and duplicate, and flags no clean conversation', () => {
    const seeded = anomaliesByConversation(sandbox);
    expect(new Set(seeded.keys())).toEqual(new Set(sandbox.truth.anomalousConversationIds()));
    const kinds = new Set([...seeded.values()].flat().map((a) => a.kind));
    expect(kinds).toEqual(new Set(['out-of-order', 'duplicate-provider-message-id', 'repeated-message-id']));

    for (const [id, timeline] of timelines) {
      const anomalies = seeded.get(id) ?? [];
      const { integrity } = timeline;
      if (anomalies.length === 0) {
        expect({ id, integrity }).toEqual({ id, integrity: expect.objectContaining({ clean: true, outOfOrder: [], duplicates: [], missing: [], outsideConversation: [], gaps: [] }) });
        continue;
      }
      expect(integrity.clean).toBe(false);
      const ofKind = (kind: ConversationAnomaly['kind']) => anomalies.filter((a) => a.kind === kind);
      expect(sortedPairs(integrity.outOfOrder.map((p) => [p.first.messageId, p.second.messageId]))).toEqual(
        sortedPairs(ofKind('out-of-order').map((a) => a.messageIds)),
      );
      const providerDuplicates = integrity.duplicates.filter((d) => d.kind === 'duplicate-provider-message-id');
      expect(providerDuplicates.map((d) => [d.providerMessageId, d.keptMessageId, ...d.duplicateMessageIds])).toEqual(
        ofKind('duplicate-provider-message-id').map((a) => [a.providerMessageId, ...a.messageIds]),
      );
      const repeated = integrity.duplicates.filter((d) => d.kind === 'repeated-message-id');
      expect(new Set(repeated.map((d) => d.messageId))).toEqual(new Set(ofKind('repeated-message-id').flatMap((a) => a.messageIds)));
      expect(integrity.missing).toEqual([]);
      expect(integrity.outsideConversation).toEqual([]);
      // the redelivered copy is out of the timeline but kept aside
      expect(timeline.droppedDuplicates.map((m) => m.id)).toEqual(providerDuplicates.flatMap((d) => d.duplicateMessageIds));
    }
  });

  it('archive records validate against the JSON Schema and verify; transcripts render (anomalous ones and a sample)', () => {
    const anomalous = new Set(sandbox.truth.anomalousConversationIds());
    const sample = [...timelines.values()].filter((t, i) => anomalous.has(t.conversationId) || i % 10 === 0);
    expect(sample.length).toBeGreaterThan(60);
    for (const timeline of sample) {
      const record = toArchiveRecord(timeline);
      const json = serializeArchiveRecord(record);
      expect(validateAgainst(ARCHIVE_RECORD_JSON_SCHEMA, JSON.parse(json))).toEqual([]);
      expect(parseArchiveRecord(json).contentHash).toBe(record.contentHash);
      expect(renderTranscriptMarkdown(timeline).match(/^- \*\*\d{4}-\d{2}-\d{2}T/gm)?.length ?? 0).toBe(timeline.messages.length);
    }
  });

  it('finds the late receipts the sandbox plants (about 5% delivered > 5 min, read > 30 min)', () => {
    const all = [...timelines.values()];
    const outbound = all.reduce((n, t) => n + t.sla.outbound, 0);
    const deliveredLate = all.flatMap((t) => t.sla.breaches.filter((b) => b.kind === 'delivered-late'));
    const readLate = all.flatMap((t) => t.sla.breaches.filter((b) => b.kind === 'read-late'));
    expect(outbound).toBeGreaterThan(1000);
    expect(deliveredLate.length / outbound).toBeGreaterThan(0.02);
    expect(deliveredLate.length / outbound).toBeLessThan(0.1);
    expect(readLate.length).toBeGreaterThan(0);
    for (const breach of [...deliveredLate, ...readLate]) expect(breach.latencyMs).toBeGreaterThan(breach.thresholdMs);
  });

  it('re-syncing an unchanged conversation later gives the same content hash; a second sandbox with the same seed too', async () => {
    const ids = sandbox.truth.conversationIds().filter((id) => timelines.get(id)?.messages.some((m) => m.attachments.length > 0)).slice(0, 5);
    expect(ids.length).toBe(5);
    clock.set(Date.parse(NOW) + 3_600_000);
    const again = connect(sandbox, clock);
    const other = await startSandbox({ seed: SEED, conversations: CONVERSATIONS, now: NOW, clock });
    try {
      const elsewhere = connect(other, clock);
      for (const id of ids) {
        const first = toArchiveRecord(timelines.get(id) as Timeline);
        const second = toArchiveRecord(await again.sync(id));
        const third = toArchiveRecord(await elsewhere.sync(id));
        expect(second.sync.syncedAt).not.toBe(first.sync.syncedAt);
        expect(third.sync.media[0].url).not.toBe(first.sync.media[0].url);
        expect(second.contentHash).toBe(first.contentHash);
        expect(third.contentHash).toBe(first.contentHash);
      }
    } finally {
      await other.close();
    }
  });
});

describe('HistorySync against a flaky sandbox (429s, 5xx, resets, truncated bodies, a revoked token)', () => {
  let sandbox: RunningSandbox;
  let clock: FakeClock;

  beforeAll(async () => {
    clock = new FakeClock(NOW);
    sandbox = await startSandbox({ seed: 3, conversations: 60, now: NOW, clock, faults: 'flaky', sleep: clock.sleep });
  });

  afterAll(() => sandbox?.close());

  it('retries happen on the fake clock; a 500 fails only its conversation, which syncs once Genesys is healthy again', async () => {
    const history = connect(sandbox, clock);
    const unknownId = '00000000-0000-4000-8000-000000000000';
    const ids = [...sandbox.truth.conversationIds(), unknownId];
    const results = new Map<string, Timeline | SyncFailure>();
    for await (const result of history.syncMany(ids, { concurrency: 6 })) {
      expect(results.has(result.conversationId)).toBe(false);
      results.set(result.conversationId, result);
    }
    expect(results.size).toBe(ids.length);
    const injected = Object.values(sandbox.stats.snapshot().faultsInjected).reduce((n, count) => n + count, 0);
    expect(injected).toBeGreaterThan(5);
    expect(clock.sleeps.length).toBeGreaterThan(0);

    const unknown = results.get(unknownId);
    expect(isSyncFailure(unknown) && unknown.error.code).toBe(HistorySyncErrorCode.NotFound);
    results.delete(unknownId);

    // the transport retries 429/502/503/504 and resets; a 500 is not retried (it may not be transient)
    const failed = [...results.values()].filter(isSyncFailure);
    for (const failure of failed) {
      expect(failure.error.code).toBe(HistorySyncErrorCode.Unavailable);
      expect(failure.error.cause).toMatchObject({ status: 500 });
    }
    expect(failed.length).toBeLessThan(results.size / 4);

    sandbox.setFaults('none');
    for (const failure of failed) results.set(failure.conversationId, await history.sync(failure.conversationId));
    for (const [id, result] of results) {
      const truth = sandbox.truth.messages(id) as unknown as MessageData[];
      expect((result as Timeline).messages.map((m) => [m.id, m.text])).toEqual(truth.map((m) => [m.id, messageText(m)]));
    }
  });
});
