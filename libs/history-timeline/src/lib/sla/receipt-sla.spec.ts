import type { TimelineMessage } from '../timeline.model';
import { assessReceiptSla, nearestRankPercentile } from './receipt-sla';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const SECOND = 1000;
const MINUTE = 60 * SECOND;

function outbound(id: string, sentAt: number, receipts: Array<[string, number]>, status = 'sent'): TimelineMessage {
  return {
    id,
    timestamp: iso(sentAt),
    direction: 'outbound',
    type: 'Text',
    senderRole: 'agent',
    attachments: [],
    status,
    receipts: receipts.map(([s, time]) => ({ status: s, time: iso(time) })),
  };
}

describe('nearestRankPercentile', () => {
  it.each([
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[7], 50, 7],
    [[7], 95, 7],
    [[1, 2], 50, 1],
    [[], 50, null],
  ])('of %j at p%i is %p', (values, p, expected) => {
    expect(nearestRankPercentile(values, p)).toBe(expected);
  });
});

describe('assessReceiptSla', () => {
  /**
   * Fixture: 20 outbound messages, sent one minute apart. Message k (1…20) is delivered k×20 s
   * after sending (so 16…20 take 320…400 s, over the 5-minute threshold) and read k×2 min
   * after sending (16…20: 32…40 min, over 30 minutes).
   */
  const fixture = Array.from({ length: 20 }, (_, i) => {
    const k = i + 1;
    const sent = T0 + i * MINUTE;
    return outbound(`m${k}`, sent, [
      ['Delivered', sent + k * 20 * SECOND],
      ['Read', sent + k * 2 * MINUTE],
    ], 'read');
  });
  const report = assessReceiptSla(fixture, T0 + 24 * 60 * MINUTE);

  it('delivered latency p50/p95/max by nearest rank', () => {
    expect(report.delivered).toEqual({ count: 20, p50Ms: 200 * SECOND, p95Ms: 380 * SECOND, maxMs: 400 * SECOND });
  });

  it('read latency p50/p95/max by nearest rank', () => {
    expect(report.read).toEqual({ count: 20, p50Ms: 20 * MINUTE, p95Ms: 38 * MINUTE, maxMs: 40 * MINUTE });
  });

  it('breaches with the default thresholds (5 min delivered, 30 min read)', () => {
    expect(report.thresholds).toEqual({ deliveredWithinMs: 5 * MINUTE, readWithinMs: 30 * MINUTE });
    const late = (kind: string) => report.breaches.filter((b) => b.kind === kind).map((b) => b.messageId);
    // 15 × 20 s = 300 s is exactly the threshold: not a breach
    expect(late('delivered-late')).toEqual(['m16', 'm17', 'm18', 'm19', 'm20']);
    expect(late('read-late')).toEqual(['m16', 'm17', 'm18', 'm19', 'm20']);
    expect(report.breaches.find((b) => b.messageId === 'm16' && b.kind === 'delivered-late')).toEqual({
      messageId: 'm16',
      kind: 'delivered-late',
      latencyMs: 320 * SECOND,
      thresholdMs: 5 * MINUTE,
    });
    expect(report.messages.find((m) => m.messageId === 'm20')).toEqual({
      messageId: 'm20',
      sentAt: iso(T0 + 19 * MINUTE),
      outcome: 'read',
      deliveredAt: iso(T0 + 19 * MINUTE + 400 * SECOND),
      readAt: iso(T0 + 19 * MINUTE + 40 * MINUTE),
      deliveredLatencyMs: 400 * SECOND,
      readLatencyMs: 40 * MINUTE,
      breaches: ['delivered-late', 'read-late'],
    });
  });

  it('thresholds are configurable', () => {
    const strict = assessReceiptSla(fixture, T0, { deliveredWithinMs: 60 * SECOND, readWithinMs: 10 * MINUTE });
    expect(strict.breaches.filter((b) => b.kind === 'delivered-late')).toHaveLength(17); // 80 s … 400 s
    expect(strict.breaches.filter((b) => b.kind === 'read-late')).toHaveLength(15); // 12 min … 40 min
    expect(strict.delivered.p50Ms).toBe(report.delivered.p50Ms);
  });

  it('failures, pending messages, status-only delivery and read without a delivered receipt', () => {
    const evaluatedAt = T0 + 10 * MINUTE;
    const result = assessReceiptSla(
      [
        outbound('failed', T0, [['Failed', T0 + 5 * SECOND]], 'delivery-failed'),
        outbound('pending-old', T0, []), // 10 min without a receipt: over 5 min
        outbound('pending-new', T0 + 8 * MINUTE, []), // 2 min: not yet
        outbound('status-only', T0, [], 'delivery-success'),
        outbound('read-only', T0, [['Read', T0 + 90 * SECOND]], 'read'),
        { ...outbound('inbound', T0, []), direction: 'inbound', senderRole: 'customer' },
      ],
      evaluatedAt,
    );
    expect(result.outbound).toBe(5);
    expect(result.failed).toBe(1);
    expect(result.pending).toBe(2);
    expect(result.messages.map((m) => [m.messageId, m.outcome])).toEqual([
      ['failed', 'failed'],
      ['pending-old', 'pending'],
      ['pending-new', 'pending'],
      ['status-only', 'delivered'],
      ['read-only', 'read'],
    ]);
    expect(result.breaches).toEqual([{ messageId: 'pending-old', kind: 'delivery-missing', latencyMs: 10 * MINUTE, thresholdMs: 5 * MINUTE }]);
    // a read message was delivered by then: its delivered latency is the read latency
    expect(result.delivered).toEqual({ count: 1, p50Ms: 90 * SECOND, p95Ms: 90 * SECOND, maxMs: 90 * SECOND });
    expect(result.messages.find((m) => m.messageId === 'status-only')?.deliveredLatencyMs).toBeUndefined();
  });

  it('a conversation without outbound messages has an empty report', () => {
    const result = assessReceiptSla([], T0);
    expect(result).toEqual({
      thresholds: { deliveredWithinMs: 5 * MINUTE, readWithinMs: 30 * MINUTE },
      outbound: 0,
      delivered: { count: 0, p50Ms: null, p95Ms: null, maxMs: null },
      read: { count: 0, p50Ms: null, p95Ms: null, maxMs: null },
      failed: 0,
      pending: 0,
      breaches: [],
      messages: [],
    });
  });
});
