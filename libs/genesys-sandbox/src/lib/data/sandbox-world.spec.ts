import { ManualClock } from '../clock/sandbox-clock';
import { analyticsViews, AnalyticsFilter, evaluateFilters, matchesFilters, parseFilters } from '../analytics/analytics-filter';
import { indexAnalyticsViews } from '../analytics/index-analytics-views';
import { renderAnalyticsConversation } from '../render/analytics-conversation.mapper';
import { anomaliesOf, canonicalMessages } from '../truth/sandbox-truth';
import { IndexFlag } from './conversation-index';
import { SandboxWorld, WorldConfig } from './sandbox-world';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');

function world(overrides: Partial<WorldConfig> = {}): SandboxWorld {
  return new SandboxWorld(
    { seed: 7, conversations: 300, nowMs: NOW, days: 30, messagesMin: 1, messagesMax: 200, uploadMaxBytes: 1024, ...overrides },
    new ManualClock(NOW),
  );
}

describe('SandboxWorld generation', () => {
  it('derives conversation i from (seed, i) alone, whatever was generated before', () => {
    const a = world();
    const b = world();
    const ids = a.index.ids;
    const forward = [ids[5], ids[250], ids[17]].map((id) => JSON.stringify(a.conversation(id)));
    const other = [ids[17], ids[250], ids[5]].map((id) => JSON.stringify(b.conversation(id))).reverse();
    expect(other).toEqual(forward);
    expect(world({ seed: 8 }).index.ids[5]).not.toBe(ids[5]);
  });

  it('keeps only the compact index in memory until a conversation is asked for', () => {
    const w = world({ conversations: 20_000 });
    expect(w.index.size).toBe(20_000);
    // the index holds plain typed arrays plus the id strings; records are built on demand
    expect(w.index.startTimes).toBeInstanceOf(Float64Array);
    const record = w.conversation(w.index.ids[19_999])!;
    expect(record.messages.length).toBeGreaterThanOrEqual(w.index.entry(19_999).messageCount);
  });

  it('spreads conversations over the days before now, mostly web messaging, none in the future', () => {
    const w = world({ conversations: 2000 });
    const kinds = { webmessaging: 0, open: 0, sms: 0 };
    for (let i = 0; i < w.index.size; i++) {
      const entry = w.index.entry(i);
      kinds[entry.kind]++;
      expect(entry.startTime).toBeGreaterThanOrEqual(NOW - 30 * 86_400_000);
      expect(entry.lastActivity).toBeLessThanOrEqual(NOW);
      expect(entry.messageCount).toBeGreaterThanOrEqual(1);
      expect(entry.messageCount).toBeLessThanOrEqual(200);
    }
    expect(kinds.webmessaging).toBeGreaterThan(kinds.open + kinds.sms);
    expect(kinds.open).toBeGreaterThan(0);
    expect(kinds.sms).toBeGreaterThan(0);
  });

  it('generates messages inside the conversation, with attachments and some late receipts', () => {
    const w = world();
    let attachments = 0;
    let lateDelivered = 0;
    let lateRead = 0;
    const violations: string[] = [];
    for (const id of w.index.ids) {
      const c = w.conversation(id)!;
      for (const m of c.messages) {
        if (m.timestamp < c.startTime || m.timestamp > (c.endTime ?? NOW)) violations.push(`${m.id} outside its conversation`);
        attachments += m.attachments.length;
        const delivered = m.receipts.find((r) => r.status === 'Delivered');
        const read = m.receipts.find((r) => r.status === 'Read');
        if (delivered && delivered.time - m.timestamp > 5 * 60_000) lateDelivered++;
        if (read && read.time - m.timestamp > 30 * 60_000) lateRead++;
        if (m.receipts.some((r) => r.time > NOW)) violations.push(`${m.id} has a receipt after now`);
      }
    }
    expect(violations).toEqual([]);
    expect(attachments).toBeGreaterThan(10);
    expect(lateDelivered).toBeGreaterThan(0);
    expect(lateRead).toBeGreaterThan(0);
  });

  it('plants a known set of anomalies that inspection finds, and nothing else', () => {
    const w = world();
    const planted = { 'out-of-order': 0, 'duplicate-provider-message-id': 0, 'repeated-message-id': 0 };
    const mismatches: number[] = [];
    for (let i = 0; i < w.index.size; i++) {
      const flags = w.index.flagsOf(i);
      const found = anomaliesOf(w.conversation(w.index.ids[i])!);
      const kinds = new Set(found.map((a) => a.kind));
      const expected = [
        kinds.has('out-of-order') === ((flags & IndexFlag.OutOfOrder) !== 0),
        kinds.has('duplicate-provider-message-id') === ((flags & IndexFlag.DuplicateProviderMessageId) !== 0),
        kinds.has('repeated-message-id') === ((flags & IndexFlag.RepeatedMessageId) !== 0),
      ];
      if (expected.includes(false)) mismatches.push(i);
      for (const a of found) planted[a.kind]++;
    }
    expect(mismatches).toEqual([]);
    expect(planted['out-of-order']).toBeGreaterThan(3);
    expect(planted['duplicate-provider-message-id']).toBeGreaterThan(3);
    expect(planted['repeated-message-id']).toBeGreaterThan(3);
  });

  it('canonical messages drop the redelivered copy and are in time order', () => {
    const w = world();
    const i = [...Array(w.index.size).keys()].find((n) => w.index.flagsOf(n) & IndexFlag.DuplicateProviderMessageId)!;
    const c = w.conversation(w.index.ids[i])!;
    const canonical = canonicalMessages(c);
    expect(canonical.length).toBe(c.messages.length - 1);
    expect(canonical.some((m) => m.duplicateOf)).toBe(false);
    expect(canonical.map((m) => m.timestamp)).toEqual([...canonical.map((m) => m.timestamp)].sort((x, y) => x - y));
  });

  it('finds any generated message by its id alone', () => {
    const w = world();
    const c = w.conversation(w.index.ids[123])!;
    const m = c.messages[c.messages.length - 1];
    expect(w.findMessage(m.id)?.conversation.id).toBe(c.id);
    expect(w.findMessage('0'.repeat(32))).toBeUndefined();
  });
});

describe('index-backed analytics views', () => {
  const dimensionsToCompare = [
    'conversationId',
    'conversationStart',
    'conversationEnd',
    'conversationInitiator',
    'divisionId',
    'originatingDirection',
  ];
  const segmentDimensions = ['conversationId', 'divisionId', 'mediaType', 'messageType', 'direction', 'purpose', 'segmentType', 'userId', 'queueId', 'wrapUpCode'];

  it('agree with the full analytics tree on every dimension they claim to know', () => {
    const w = world({ conversations: 400 });
    const disagreements: string[] = [];
    for (let i = 0; i < w.index.size; i++) {
      const full = analyticsViews(renderAnalyticsConversation(w.skeleton(i)));
      const fast = indexAnalyticsViews(w, i);
      for (const d of dimensionsToCompare) {
        if (JSON.stringify(fast.conversation(d)) !== JSON.stringify(full.conversation(d))) disagreements.push(`${i} ${d}`);
      }
      if (fast.segments.length !== full.segments.length) disagreements.push(`${i} segment count`);
      fast.segments.forEach((view, n) => {
        for (const d of segmentDimensions) {
          const known = view(d);
          if (typeof known !== 'symbol' && JSON.stringify(known) !== JSON.stringify(full.segments[n]?.(d))) disagreements.push(`${i}/${n} ${d}`);
        }
      });
    }
    expect(disagreements).toEqual([]);
  });

  it('give the same verdicts as the full tree whenever they decide', () => {
    const w = world({ conversations: 400 });
    const filters: Array<{ conversation: AnalyticsFilter[]; segment: AnalyticsFilter[] }> = [
      { conversation: [], segment: parseFilters([{ type: 'and', predicates: [{ dimension: 'messageType', value: 'open' }] }], 'segmentFilters') },
      {
        conversation: parseFilters([{ type: 'and', predicates: [{ dimension: 'divisionId', value: w.catalog.divisions[1].id }] }], 'conversationFilters'),
        segment: parseFilters(
          [{ type: 'or', predicates: [{ dimension: 'userId', value: w.catalog.agents[3].id }, { dimension: 'segmentType', value: 'wrapup' }] }],
          'segmentFilters',
        ),
      },
      { conversation: [], segment: parseFilters([{ type: 'and', predicates: [{ dimension: 'disconnectType', value: 'transfer' }] }], 'segmentFilters') },
    ];
    const disagreements: number[] = [];
    let decided = 0;
    for (const f of filters) {
      for (let i = 0; i < w.index.size; i++) {
        const fast = indexAnalyticsViews(w, i);
        const verdict = evaluateFilters(fast.conversation, fast.segments, f.conversation, f.segment);
        const truth = matchesFilters(renderAnalyticsConversation(w.skeleton(i)), f.conversation, f.segment);
        if (verdict !== undefined && verdict !== truth) disagreements.push(i);
        if (verdict !== undefined) decided++;
      }
    }
    expect(disagreements).toEqual([]);
    expect(decided).toBeGreaterThan(400);
  });
});
