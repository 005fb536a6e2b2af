import { epochMs } from '../instant';
import type { TimelineMessage } from '../timeline.model';

export interface ReceiptSlaOptions {
  /** A delivery receipt later than this after sending is a breach. Default 5 min. */
  deliveredWithinMs?: number;
  /** A read receipt later than this after sending is a breach. Default 30 min. */
  readWithinMs?: number;
}

export const DEFAULT_DELIVERED_WITHIN_MS = 5 * 60 * 1000;
export const DEFAULT_READ_WITHIN_MS = 30 * 60 * 1000;

export type SlaBreachKind =
  /** Delivered, but later than `deliveredWithinMs`. */
  | 'delivered-late'
  /** No delivery reported (and no failure) though `deliveredWithinMs` has passed. */
  | 'delivery-missing'
  /** Read later than `readWithinMs`. */
  | 'read-late';

export type DeliveryOutcome = 'read' | 'delivered' | 'failed' | 'pending';

export interface MessageSla {
  messageId: string;
  sentAt: string;
  outcome: DeliveryOutcome;
  deliveredAt?: string;
  readAt?: string;
  /** Absent when delivery is known only from `status`, without a receipt time. */
  deliveredLatencyMs?: number;
  readLatencyMs?: number;
  breaches: SlaBreachKind[];
}

export interface LatencySummary {
  /** Messages with a known latency. */
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export interface SlaBreach {
  messageId: string;
  kind: SlaBreachKind;
  /** The latency measured, or for `delivery-missing` how long it has been since sending. */
  latencyMs: number;
  thresholdMs: number;
}

export interface ReceiptSlaReport {
  thresholds: { deliveredWithinMs: number; readWithinMs: number };
  outbound: number;
  delivered: LatencySummary;
  read: LatencySummary;
  failed: number;
  /** Neither delivered nor failed yet. */
  pending: number;
  breaches: SlaBreach[];
  messages: MessageSla[];
}

const DELIVERED_STATUSES = new Set(['delivery-success', 'read']);
const FAILED_STATUSES = new Set(['delivery-failed', 'failed']);

/**
 * Percentile by nearest rank on the sorted values: the smallest value with at least p% of
 * the values at or below it (p50 of 1..10 is 5, p95 is 10). Always an observed value.
 */
export function nearestRankPercentile(sortedValues: readonly number[], p: number): number | null {
  if (sortedValues.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedValues.length));
  return sortedValues[Math.min(rank, sortedValues.length) - 1];
}

function summarize(latencies: number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: nearestRankPercentile(sorted, 50),
    p95Ms: nearestRankPercentile(sorted, 95),
    maxMs: sorted.length ? sorted[sorted.length - 1] : null,
  };
}

/**
 * Delivery and read latency of every outbound message, from its receipts (`normalizedReceipts`:
 * the first Delivered, the first Read — a read message was delivered by then) or, without
 * receipts, from `status`. Genesys defines no SLA (genesys-api.md, claim 5c): the
 * thresholds are the organisation's. A missing read receipt is never a breach: SMS and Open
 * Messaging do not report reads, and customers need not read. A message still waiting for
 * its delivery receipt is judged at `evaluatedAtMs` (the sync time), so only such messages
 * can change the report between two syncs of an unchanged conversation.
 */
export function assessReceiptSla(messages: readonly TimelineMessage[], evaluatedAtMs: number, options: ReceiptSlaOptions = {}): ReceiptSlaReport {
  const deliveredWithinMs = options.deliveredWithinMs ?? DEFAULT_DELIVERED_WITHIN_MS;
  const readWithinMs = options.readWithinMs ?? DEFAULT_READ_WITHIN_MS;
  const perMessage: MessageSla[] = [];
  const breaches: SlaBreach[] = [];
  const deliveredLatencies: number[] = [];
  const readLatencies: number[] = [];
  let failed = 0;
  let pending = 0;

  for (const message of messages) {
    if (message.direction !== 'outbound') continue;
    const sent = epochMs(message.timestamp);
    const firstTime = (status: string) => {
      const times = message.receipts.filter((r) => r.status === status).map((r) => epochMs(r.time)).filter(Number.isFinite);
      return times.length ? Math.min(...times) : undefined;
    };
    const readMs = firstTime('Read');
    const deliveredReceiptMs = firstTime('Delivered');
    const deliveredMs = deliveredReceiptMs === undefined ? readMs : readMs === undefined ? deliveredReceiptMs : Math.min(deliveredReceiptMs, readMs);
    const hasFailure = message.receipts.some((r) => r.status === 'Failed') || FAILED_STATUSES.has(message.status ?? '');
    const deliveredByStatus = DELIVERED_STATUSES.has(message.status ?? '') || message.receipts.some((r) => r.status === 'Delivered' || r.status === 'Read');

    const entry: MessageSla = { messageId: message.id, sentAt: message.timestamp, outcome: 'pending', breaches: [] };
    const breach = (kind: SlaBreachKind, latencyMs: number, thresholdMs: number) => {
      entry.breaches.push(kind);
      breaches.push({ messageId: message.id, kind, latencyMs, thresholdMs });
    };

    if (deliveredMs !== undefined) {
      entry.deliveredAt = new Date(deliveredMs).toISOString();
      entry.deliveredLatencyMs = Math.max(0, deliveredMs - sent);
      deliveredLatencies.push(entry.deliveredLatencyMs);
      if (entry.deliveredLatencyMs > deliveredWithinMs) breach('delivered-late', entry.deliveredLatencyMs, deliveredWithinMs);
    }
    if (readMs !== undefined) {
      entry.readAt = new Date(readMs).toISOString();
      entry.readLatencyMs = Math.max(0, readMs - sent);
      readLatencies.push(entry.readLatencyMs);
      if (entry.readLatencyMs > readWithinMs) breach('read-late', entry.readLatencyMs, readWithinMs);
    }

    if (readMs !== undefined || message.status === 'read') entry.outcome = 'read';
    else if (deliveredMs !== undefined || deliveredByStatus) entry.outcome = 'delivered';
    else if (hasFailure) entry.outcome = 'failed';
    if (entry.outcome === 'failed') failed++;
    if (entry.outcome === 'pending') {
      pending++;
      const waited = evaluatedAtMs - sent;
      if (waited > deliveredWithinMs) breach('delivery-missing', waited, deliveredWithinMs);
    }
    perMessage.push(entry);
  }

  return {
    thresholds: { deliveredWithinMs, readWithinMs },
    outbound: perMessage.length,
    delivered: summarize(deliveredLatencies),
    read: summarize(readLatencies),
    failed,
    pending,
    breaches,
    messages: perMessage,
  };
}
