import { GenesysPermissionError, GenesysRateLimitError, GenesysServerError } from '@gcm/genesys-auth';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { conversationFixture, InMemoryHistorySource, type ConversationFixtureInput } from '../testing';
import { HistorySyncError, HistorySyncErrorCode } from './history-sync.error';
import { HistorySync } from './history-sync.service';
import { toArchiveRecord } from './archive/archive-record';
import { END, START, sampleConversationInput as baseInput, t } from '../test/sample-conversation';

function setup(inputs: ConversationFixtureInput[] = [baseInput()], clock = new FakeClock('2026-03-01T12:00:00.000Z')) {
  const source = new InMemoryHistorySource(inputs.map(conversationFixture));
  return { source, clock, history: new HistorySync({ source, clock }) };
}

describe('HistorySync.sync', () => {
  it('assembles the timeline: order, roles, text, attachments, receipts, conversation, participants', async () => {
    const { history, source } = setup();
    const timeline = await history.sync('conv-1');

    expect(timeline.messages.map((m) => [m.id, m.senderRole, m.direction, m.participantId, m.text ?? null])).toEqual([
      ['m1', 'customer', 'inbound', 'p-cust', 'Hello, my order is late'],
      ['m2', 'agent', 'outbound', 'p-agent', 'Let me check'],
      ['m3', 'customer', 'inbound', 'p-cust', null],
      ['m4', 'agent', 'outbound', 'p-agent', 'It ships today'],
      ['m5', 'customer', 'inbound', 'p-cust', 'Thanks!'],
    ]);
    expect(timeline.messages[2].attachments).toEqual([
      {
        id: 'att-1',
        messageId: 'm3',
        mediaType: 'Image',
        url: 'https://media.example/att-1/photo.png?X-Amz-Date=20260301T100100Z&X-Amz-Expires=600&X-Amz-Signature=aaa',
        mime: 'image/png',
        filename: 'photo.png',
        sizeBytes: 1234,
        sha256: 'ab'.repeat(32),
        fetchedAt: '2026-03-01T12:00:00.000Z',
        expiresAt: '2026-03-01T10:11:00.000Z',
      },
    ]);
    expect(timeline.messages[1].receipts).toEqual([
      { status: 'Delivered', time: t(31), isFinal: false },
      { status: 'Read', time: t(40), isFinal: true },
    ]);
    expect(timeline.conversation).toEqual({
      id: 'conv-1',
      startTime: START,
      endTime: END,
      state: 'disconnected',
      messengerType: 'webmessaging',
      divisionIds: ['division-1'],
    });
    expect(timeline.participants.map((p) => [p.id, p.role, p.listedMessages])).toEqual([
      ['p-cust', 'customer', 3],
      ['p-acd', 'system', 0],
      ['p-agent', 'agent', 2],
    ]);
    const agent = timeline.participants[2];
    expect(agent.stateHistory.map((s) => [s.kind, s.to, s.at])).toEqual([
      ['joined', 'alerting', t(15)],
      ['state', 'connected', t(20)],
      ['state', 'disconnected', END],
      ['wrapup', 'disconnected', t(1900)],
    ]);
    expect(agent.wrapup).toEqual({ code: 'resolved', name: 'Resolved', endTime: t(1900) });
    expect(timeline.integrity.clean).toBe(true);
    expect(timeline.sla).toMatchObject({ outbound: 2, delivered: { count: 2, p50Ms: 1000, p95Ms: 410_000 } });
    expect(timeline.sla.breaches.map((b) => [b.messageId, b.kind])).toEqual([['m4', 'delivered-late']]);
    expect(timeline.sync).toEqual({
      syncedAt: '2026-03-01T12:00:00.000Z',
      durationMs: 0,
      conversationSource: 'fetched',
      listedMessageIds: 5,
      fetchedMessages: 5,
      filteredOut: 0,
      filter: {},
    });
    // three reads: the message conversation, the conversation, one bulk request with all five ids
    expect(source.calls.map((c) => c.read).sort()).toEqual(['getConversation', 'getMessageConversation', 'getMessagesBulk']);
    expect(source.calls.find((c) => c.read === 'getMessagesBulk')?.ids).toBe(5);
  });

  it('names senders by purpose: workflow and bot-originated agent messages are bots, acd and api are system', async () => {
    const input = baseInput({
      participants: [
        { id: 'p-cust', purpose: 'customer' },
        { id: 'p-flow', purpose: 'workflow' },
        { id: 'p-agent', purpose: 'agent' },
        { id: 'p-api', purpose: 'api' },
      ],
      messages: [
        { id: 'a', participantId: 'p-cust', timestamp: t(1), text: 'hi' },
        { id: 'b', participantId: 'p-flow', timestamp: t(2), text: 'Welcome! I am a bot' },
        { id: 'c', participantId: 'p-agent', timestamp: t(3), text: 'auto reply', originatingEntity: 'Bot' },
        { id: 'd', participantId: 'p-agent', timestamp: t(4), text: 'Alex here' },
        { id: 'e', participantId: 'p-api', timestamp: t(5), text: 'Your parcel has shipped' },
      ],
    });
    const { history } = setup([input]);
    const timeline = await history.sync('conv-1');
    expect(timeline.messages.map((m) => m.senderRole)).toEqual(['customer', 'bot', 'bot', 'agent', 'system']);
  });

  it('reads the deprecated textBody and media[] when the normalized message lacks them', async () => {
    const fixture = conversationFixture(baseInput({ messages: [{ id: 'm1', participantId: 'p-cust', timestamp: t(1) }] }));
    Object.assign(fixture.messages[0], {
      normalizedMessage: undefined,
      textBody: 'legacy text',
      media: [{ id: 'legacy-1', name: 'scan.pdf', url: 'https://media.example/scan.pdf', mediaType: 'application/pdf', contentLengthBytes: 99 }],
    });
    const history = new HistorySync({ source: new InMemoryHistorySource([fixture]), clock: new FakeClock() });
    const [message] = (await history.sync('conv-1')).messages;
    expect(message.text).toBe('legacy text');
    expect(message.type).toBe('Unknown');
    expect(message.attachments.map((a) => [a.id, a.filename, a.mime, a.sizeBytes])).toEqual([['legacy-1', 'scan.pdf', 'application/pdf', 99]]);
  });

  describe('integrity', () => {
    it('reports an out-of-order pair as listed, a repeated id, a redelivered copy, a missing body, an early message and a gap', async () => {
      const input = baseInput({
        messages: [
          { id: 'early', participantId: 'p-cust', timestamp: '2026-03-01T09:59:00.000Z', text: 'from before the start', providerMessageId: 'pv-0' },
          ...baseInput().messages,
          { id: 'm5-copy', participantId: 'p-cust', timestamp: t(121), text: 'Thanks!', providerMessageId: 'pv-5' },
          { id: 'm6', participantId: 'p-cust', timestamp: t(120 + 3 * 3600), text: 'Hello again', providerMessageId: 'pv-6' },
          { id: 'gone', participantId: 'p-cust', timestamp: t(200), text: 'lost', providerMessageId: 'pv-7' },
        ],
        endTime: t(4 * 3600),
        // the customer list carries m3 before m1 (swapped), m1 twice, the copy, and an id without a body
        lists: { 'p-cust': ['early', 'm3', 'm1', 'm1', 'm5', 'm5-copy', 'gone', 'm6'], 'p-agent': ['m2', 'm4'] },
        withoutBodies: ['gone'],
      });
      const { history } = setup([input]);
      const timeline = await history.sync('conv-1');
      const { integrity } = timeline;

      expect(integrity.clean).toBe(false);
      expect(integrity.outOfOrder).toEqual([
        {
          participantId: 'p-cust',
          first: { messageId: 'm3', position: 1, timestamp: t(60) },
          second: { messageId: 'm1', position: 2, timestamp: t(1) },
        },
      ]);
      expect(integrity.duplicates).toEqual([
        {
          kind: 'repeated-message-id',
          messageId: 'm1',
          occurrences: [
            { participantId: 'p-cust', position: 2 },
            { participantId: 'p-cust', position: 3 },
          ],
        },
        { kind: 'duplicate-provider-message-id', providerMessageId: 'pv-5', keptMessageId: 'm5', duplicateMessageIds: ['m5-copy'] },
      ]);
      expect(integrity.missing).toEqual([{ messageId: 'gone', participantId: 'p-cust', listedTime: t(200) }]);
      expect(integrity.outsideConversation).toEqual([
        { messageId: 'early', timestamp: '2026-03-01T09:59:00.000Z', boundary: 'before-start', boundaryTime: START },
      ]);
      expect(integrity.gaps).toEqual([{ afterMessageId: 'm5', beforeMessageId: 'm6', from: t(120), to: t(120 + 3 * 3600), durationMs: 3 * 3600 * 1000 }]);

      // the timeline keeps each message once, in time order; the copy is set aside
      expect(timeline.messages.map((m) => m.id)).toEqual(['early', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
      expect(timeline.droppedDuplicates.map((m) => m.id)).toEqual(['m5-copy']);
      expect(timeline.sync).toMatchObject({ listedMessageIds: 9, fetchedMessages: 8 });
    });

    it('the same id listed by two participants is a repeat; the first listing names the sender', async () => {
      const input = baseInput({ lists: { 'p-cust': ['m1', 'm3', 'm5'], 'p-agent': ['m2', 'm1', 'm4'] } });
      const timeline = await setup([input]).history.sync('conv-1');
      expect(timeline.integrity.duplicates).toEqual([
        { kind: 'repeated-message-id', messageId: 'm1', occurrences: [{ participantId: 'p-cust', position: 0 }, { participantId: 'p-agent', position: 1 }] },
      ]);
      expect(timeline.messages.find((m) => m.id === 'm1')?.senderRole).toBe('customer');
      // p-agent lists m2 (t30) then m1 (t1): out of order as listed
      expect(timeline.integrity.outOfOrder.map((p) => [p.first.messageId, p.second.messageId])).toEqual([['m2', 'm1']]);
    });

    it('tolerance and thresholds are configurable; null turns the gap check off', async () => {
      const input = baseInput({
        messages: [
          { id: 'a', participantId: 'p-cust', timestamp: '2026-03-01T09:59:59.500Z', text: 'half a second early' },
          { id: 'b', participantId: 'p-cust', timestamp: t(2 * 3600), text: 'two hours later' },
        ],
        endTime: t(3 * 3600),
      });
      const { history } = setup([input]);
      const lenient = await history.sync('conv-1', { integrity: { gapThresholdMs: null } });
      expect(lenient.integrity.clean).toBe(true);
      expect(lenient.integrity.checks).toEqual({ gapThresholdMs: null, boundaryToleranceMs: 1000 });
      const strict = await history.sync('conv-1', { integrity: { gapThresholdMs: 3 * 3600 * 1000, boundaryToleranceMs: 0 } });
      expect(strict.integrity.outsideConversation.map((o) => o.messageId)).toEqual(['a']);
      expect(strict.integrity.gaps).toEqual([]);
      const defaults = await history.sync('conv-1');
      expect(defaults.integrity.gaps.map((g) => g.durationMs)).toEqual([2 * 3600 * 1000 + 500]);
      expect(defaults.integrity.outsideConversation).toEqual([]);
    });

    it('a message after the end of an ended conversation is reported; an ongoing conversation has no end to pass', async () => {
      const late = { id: 'late', participantId: 'p-cust', timestamp: t(1801 + 5), text: 'after the end' };
      const ended = await setup([baseInput({ messages: [...baseInput().messages, late] })]).history.sync('conv-1');
      expect(ended.integrity.outsideConversation).toEqual([{ messageId: 'late', timestamp: t(1806), boundary: 'after-end', boundaryTime: END }]);
      const ongoing = await setup([baseInput({ endTime: undefined, messages: [...baseInput().messages, late] })]).history.sync('conv-1');
      expect(ongoing.conversation.endTime).toBeUndefined();
      expect(ongoing.integrity.outsideConversation).toEqual([]);
    });
  });

  describe('filters (client-side: the API has none)', () => {
    it('time window: from inclusive, to exclusive; integrity still covers the whole conversation', async () => {
      const { history } = setup([baseInput({ lists: { 'p-cust': ['m3', 'm1', 'm5'] } })]);
      const timeline = await history.sync('conv-1', { window: { from: t(30), to: new Date(Date.parse(t(120))) } });
      expect(timeline.messages.map((m) => m.id)).toEqual(['m2', 'm3', 'm4']);
      expect(timeline.sync.filteredOut).toBe(2);
      expect(timeline.sync.filter).toEqual({ from: t(30), to: t(120) });
      expect(timeline.integrity.outOfOrder).toHaveLength(1);
      expect(timeline.sla.outbound).toBe(2);
    });

    it('retention keeps messages no older than maxAgeMs at sync time', async () => {
      const clock = new FakeClock(t(24 * 3600 + 30));
      const { history } = setup([baseInput()], clock);
      const timeline = await history.sync('conv-1', { retention: { maxAgeMs: 24 * 3600 * 1000 } });
      expect(timeline.messages.map((m) => m.id)).toEqual(['m2', 'm3', 'm4', 'm5']);
      expect(timeline.sync.filter).toEqual({ from: t(30) });
    });

    it('message types', async () => {
      const input = baseInput({
        messages: [
          { id: 'a', participantId: 'p-cust', timestamp: t(1), text: 'text' },
          { id: 'b', participantId: 'p-cust', timestamp: t(2), type: 'Event' },
          { id: 'c', participantId: 'p-agent', timestamp: t(30), type: 'Structured', text: 'pick one' },
        ],
      });
      const timeline = await setup([input]).history.sync('conv-1', { messageTypes: ['Text', 'Structured'] });
      expect(timeline.messages.map((m) => m.id)).toEqual(['a', 'c']);
      expect(timeline.sync.filter).toEqual({ messageTypes: ['Structured', 'Text'] });
    });

    it('integrity and SLA settings merge with the defaults field by field', async () => {
      const source = new InMemoryHistorySource([conversationFixture(baseInput())]);
      const history = new HistorySync({ source, clock: new FakeClock(), defaults: { integrity: { gapThresholdMs: null }, sla: { readWithinMs: 1000 } } });
      const timeline = await history.sync('conv-1', { integrity: { boundaryToleranceMs: 0 }, sla: { deliveredWithinMs: 60_000 } });
      expect(timeline.integrity.checks).toEqual({ gapThresholdMs: null, boundaryToleranceMs: 0 });
      expect(timeline.sla.thresholds).toEqual({ deliveredWithinMs: 60_000, readWithinMs: 1000 });
    });

    it('defaults from the constructor apply, per-call options win', async () => {
      const source = new InMemoryHistorySource([conversationFixture(baseInput())]);
      const history = new HistorySync({ source, clock: new FakeClock(), defaults: { messageTypes: ['Event'] } });
      expect((await history.sync('conv-1')).messages).toEqual([]);
      expect((await history.sync('conv-1', { messageTypes: ['Text'] })).messages).toHaveLength(5);
    });
  });

  it('without permission to read the conversation, the bounds come from the participants', async () => {
    const { history, source } = setup();
    source.fail('conv-1', new GenesysPermissionError({ message: 'missing conversation:communication:view', status: 403, code: 'missing.permissions' }), ['getConversation']);
    const timeline = await history.sync('conv-1');
    expect(timeline.sync.conversationSource).toBe('derived');
    expect(timeline.conversation.startTime).toBe(START);
    expect(timeline.conversation.endTime).toBe(END);
    expect(timeline.messages).toHaveLength(5);
  });

  describe('errors carry a code and say what to do', () => {
    it.each([
      ['an unknown conversation', undefined, HistorySyncErrorCode.NotFound, /not found as a message conversation/],
      ['access denied', new GenesysPermissionError({ message: 'denied', status: 403, code: 'missing.permissions' }), HistorySyncErrorCode.AccessDenied, /conversation:message:view/],
      ['a rate limit', new GenesysRateLimitError({ message: 'slow down', status: 429, code: 'too.many.requests.retry.after' }), HistorySyncErrorCode.RateLimited, /Lower the sync concurrency/],
      ['a server failure', new GenesysServerError({ message: 'boom', status: 503, code: 'service.unavailable' }), HistorySyncErrorCode.Unavailable, /Try again later/],
      ['a bug', new TypeError('x is not a function'), HistorySyncErrorCode.Unexpected, /x is not a function/],
    ])('%s', async (_name, error, code, message) => {
      const { history, source } = setup();
      const id = error ? 'conv-1' : 'conv-unknown';
      if (error) source.fail('conv-1', error, ['getMessagesBulk']);
      const failure = await history.sync(id).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(HistorySyncError);
      expect(failure).toMatchObject({ code, conversationId: id, message: expect.stringMatching(message) });
      expect((failure as HistorySyncError).cause).toBeDefined();
    });

    it('a message without any readable timestamp is an invalid response', async () => {
      const fixture = conversationFixture(baseInput());
      fixture.messages[0].timestamp = 'yesterday';
      const [listed] = fixture.messageConversation.participants[0].messages ?? [];
      listed.messageTime = undefined;
      const history = new HistorySync({ source: new InMemoryHistorySource([fixture]), clock: new FakeClock() });
      await expect(history.sync('conv-1')).rejects.toMatchObject({ code: HistorySyncErrorCode.InvalidResponse, message: expect.stringContaining('m1') });
    });

    it('a missing timestamp falls back to the channel time, then the listed messageTime', async () => {
      const fixture = conversationFixture(baseInput());
      fixture.messages[0].timestamp = '';
      const history = new HistorySync({ source: new InMemoryHistorySource([fixture]), clock: new FakeClock() });
      expect((await history.sync('conv-1')).messages[0]).toMatchObject({ id: 'm1', timestamp: t(1) });
    });

    it('bad options are refused before any request', async () => {
      const { history, source } = setup();
      await expect(history.sync('conv-1', { window: { from: t(10), to: t(5) } })).rejects.toMatchObject({ code: HistorySyncErrorCode.InvalidOptions, message: expect.stringContaining('window.from') });
      await expect(history.sync('conv-1', { retention: { maxAgeMs: -1 } })).rejects.toMatchObject({ code: HistorySyncErrorCode.InvalidOptions });
      await expect(history.sync('conv-1', { bulkConcurrency: 0 })).rejects.toMatchObject({ code: HistorySyncErrorCode.InvalidOptions });
      await expect(history.sync('conv-1', { window: { from: 'soon' } })).rejects.toMatchObject({ code: HistorySyncErrorCode.InvalidOptions });
      expect(() => new HistorySync({ source, defaults: { sla: { readWithinMs: Number.NaN } } })).toThrow(/sla.readWithinMs/);
      expect(source.calls).toEqual([]);
    });

    it('an aborted sync fails with ABORTED', async () => {
      const { history } = setup();
      const controller = new AbortController();
      controller.abort();
      await expect(history.sync('conv-1', { signal: controller.signal })).rejects.toMatchObject({ code: HistorySyncErrorCode.Aborted });
    });

    it('serializes without secrets or payloads', async () => {
      const { history, source } = setup();
      source.fail('conv-1', new GenesysServerError({ message: 'boom', status: 502, code: 'bad.gateway', contextId: 'ctx-1' }));
      const error = (await history.sync('conv-1').catch((e: unknown) => e)) as HistorySyncError;
      expect(JSON.parse(JSON.stringify(error))).toEqual({
        name: 'HistorySyncError',
        code: 'UNAVAILABLE',
        message: expect.any(String),
        conversationId: 'conv-1',
        cause: { name: 'GenesysServerError', status: 502, code: 'bad.gateway', contextId: 'ctx-1' },
      });
    });
  });
});

describe('HistorySync.reResolveMedia', () => {
  it('re-reads the messages with attachments and refreshes their presigned URLs and fetchedAt', async () => {
    const clock = new FakeClock('2026-03-01T12:00:00.000Z');
    const { history, source } = setup([baseInput()], clock);
    source.rewriteMessage((message, read) => {
      for (const content of message.normalizedMessage?.content ?? []) {
        if (content.attachment?.url) content.attachment.url = content.attachment.url.replace('X-Amz-Signature=aaa', `X-Amz-Signature=read${read}`).replace('20260301T100100Z', read === 1 ? '20260301T120000Z' : '20260301T130000Z');
      }
      return message;
    });
    const timeline = await history.sync('conv-1');
    expect(timeline.messages[2].attachments[0].url).toContain('X-Amz-Signature=read1');

    clock.set('2026-03-01T13:00:00.000Z');
    const callsBefore = source.calls.length;
    const refreshed = await history.reResolveMedia(timeline);
    const [attachment] = refreshed.messages[2].attachments;
    expect(attachment.url).toContain('X-Amz-Signature=read2');
    expect(attachment.fetchedAt).toBe('2026-03-01T13:00:00.000Z');
    expect(attachment.expiresAt).toBe('2026-03-01T13:10:00.000Z');
    expect(attachment.sha256).toBe('ab'.repeat(32));
    expect(refreshed.sync.mediaRefreshedAt).toBe('2026-03-01T13:00:00.000Z');
    // one bulk request for the one message that has media; nothing else changed
    expect(source.calls.slice(callsBefore)).toEqual([{ read: 'getMessagesBulk', conversationId: 'conv-1', ids: 1 }]);
    expect(refreshed.messages.map((m) => m.id)).toEqual(timeline.messages.map((m) => m.id));
    expect(timeline.messages[2].attachments[0].url).toContain('read1');
  });

  it('an attachment Genesys no longer returns keeps its old URL and fetchedAt', async () => {
    const clock = new FakeClock('2026-03-01T12:00:00.000Z');
    const { history, source } = setup([baseInput()], clock);
    const timeline = await history.sync('conv-1');
    source.rewriteMessage((message) => ({ ...message, normalizedMessage: { ...message.normalizedMessage, content: [] } }));
    clock.set('2026-03-01T13:00:00.000Z');
    const refreshed = await history.reResolveMedia(timeline);
    expect(refreshed.messages[2].attachments[0]).toEqual(timeline.messages[2].attachments[0]);
  });

  it('a timeline without media needs no request', async () => {
    const { history, source } = setup([baseInput({ messages: [{ id: 'm1', participantId: 'p-cust', timestamp: t(1), text: 'hi' }] })]);
    const timeline = await history.sync('conv-1');
    const before = source.calls.length;
    expect(await history.reResolveMedia(timeline)).toBe(timeline);
    expect(source.calls.length).toBe(before);
  });
});

describe('HistorySync: SLA of an ended conversation', () => {
  it('is judged as of the end, so an undelivered message does not make the archive hash depend on the sync time', async () => {
    const input = baseInput();
    const undelivered = { id: 'm9', participantId: 'p-agent', timestamp: t(100), text: 'Anyone there?', providerMessageId: 'pv-9', receipts: [], status: 'sent' };
    const withPending = { ...input, messages: [...input.messages, undelivered] } as ConversationFixtureInput;
    const early = setup([withPending], new FakeClock('2026-03-01T12:00:00.000Z'));
    const late = setup([withPending], new FakeClock('2026-03-09T12:00:00.000Z'));
    const [a, b] = [await early.history.sync('conv-1'), await late.history.sync('conv-1')];
    const missing = a.sla.breaches.filter((breach) => breach.kind === 'delivery-missing');
    expect(missing).toEqual([expect.objectContaining({ messageId: 'm9', latencyMs: Date.parse(END) - Date.parse(t(100)) })]);
    expect(b.sla).toEqual(a.sla);
    expect(toArchiveRecord(b).contentHash).toBe(toArchiveRecord(a).contentHash);
  });
});
