import { nearestRankPercentile } from '@gcm/history-timeline';

export const QA_SNAPSHOT_SCHEMA_VERSION = 1;
export const QA_SNAPSHOT_KIND = 'gcm.qa-snapshot';

/** Durations (ms) summarised; percentiles by nearest rank (always an observed value). */
export interface DurationStats {
  count: number;
  totalMs: number;
  avgMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  maxMs: number | null;
}

export interface SlaBreachCounts {
  total: number;
  deliveredLate: number;
  deliveryMissing: number;
  readLate: number;
}

export interface QaMetrics {
  /** Conversations that started in the window (and passed through the queue). */
  conversations: number;
  /** Of those, ended by the time of the snapshot. */
  ended: number;
  /** An agent connected. */
  answered: number;
  /** Ended without any agent. */
  abandoned: number;
  /** Agent handle time (`tHandle`: talk plus after-call work) per agent session. */
  handle: DurationStats;
  /** Time in queue (`tAcd`) per queue session. */
  wait: DurationStats;
  /** Receipt SLA breaches of the outbound messages (null when the job has no history source). */
  slaBreaches: SlaBreachCounts | null;
}

export interface QueueQaMetrics extends QaMetrics {
  /** The queue id, or "none" for conversations that passed through no queue. */
  queueId: string;
}

/** The content of a QA snapshot (what is hashed and stored). */
export interface QaSnapshotContent {
  schemaVersion: typeof QA_SNAPSHOT_SCHEMA_VERSION;
  kind: typeof QA_SNAPSHOT_KIND;
  name: string;
  /** ISO 8601 UTC; conversations that started in [start, end). */
  window: { start: string; end: string };
  totals: QaMetrics;
  /** One entry per queue, by queue id. */
  queues: QueueQaMetrics[];
  /** The receipt SLA thresholds the breaches were counted with, when counted. */
  slaThresholds?: { deliveredWithinMs: number; readWithinMs: number };
}

/** A stored snapshot: the content plus its version and hash. */
export interface QaSnapshot extends QaSnapshotContent {
  version: number;
  /** `sha256:` + hex of the content's canonical JSON. */
  contentHash: string;
  /** ISO 8601 UTC. */
  createdAt: string;
}

/** Accumulates durations and counts for one queue (or the totals). */
export class QaAccumulator {
  conversations = 0;
  ended = 0;
  answered = 0;
  abandoned = 0;
  readonly handle: number[] = [];
  readonly wait: number[] = [];
  sla: SlaBreachCounts | null = null;

  addBreaches(counts: SlaBreachCounts): void {
    this.sla ??= { total: 0, deliveredLate: 0, deliveryMissing: 0, readLate: 0 };
    this.sla.total += counts.total;
    this.sla.deliveredLate += counts.deliveredLate;
    this.sla.deliveryMissing += counts.deliveryMissing;
    this.sla.readLate += counts.readLate;
  }

  metrics(withSla: boolean): QaMetrics {
    return {
      conversations: this.conversations,
      ended: this.ended,
      answered: this.answered,
      abandoned: this.abandoned,
      handle: durationStats(this.handle),
      wait: durationStats(this.wait),
      slaBreaches: withSla ? (this.sla ?? { total: 0, deliveredLate: 0, deliveryMissing: 0, readLate: 0 }) : null,
    };
  }
}

export function durationStats(values: readonly number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((sum, v) => sum + v, 0);
  return {
    count: sorted.length,
    totalMs: total,
    avgMs: sorted.length ? Math.round(total / sorted.length) : null,
    p50Ms: nearestRankPercentile(sorted, 50),
    p90Ms: nearestRankPercentile(sorted, 90),
    maxMs: sorted.length ? sorted[sorted.length - 1] : null,
  };
}
