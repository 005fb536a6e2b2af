import type { ArchiveObserver, ArchiveRunSummary, ConversationEvent, RetentionReport } from '@gcm/archive';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The scheduler's Prometheus metrics, on the app's own Registry (served at /metrics with
 * the audit and process metrics):
 * - gcm_scheduler_runs_total{kind,status}, gcm_scheduler_run_duration_seconds{kind}
 * - gcm_scheduler_run_in_progress, gcm_scheduler_runs_skipped_total{reason}
 * - gcm_scheduler_last_success_timestamp_seconds{kind}, gcm_archive_watermark_timestamp_seconds
 * - gcm_archive_conversations_total{outcome}, gcm_archive_api_calls_total
 * - gcm_retention_versions_removed_total
 */
export class SchedulerMetrics implements ArchiveObserver {
  private readonly runs: Counter<'kind' | 'status'>;
  private readonly runDuration: Histogram<'kind'>;
  private readonly inProgress: Gauge;
  private readonly skipped: Counter<'reason'>;
  private readonly lastSuccess: Gauge<'kind'>;
  private readonly watermark: Gauge;
  private readonly conversations: Counter<'outcome'>;
  private readonly apiCalls: Counter;
  private readonly retentionRemoved: Counter;

  constructor(readonly registry: Registry) {
    collectDefaultMetrics({ register: registry, prefix: 'gcm_scheduler_' });
    this.runs = new Counter({ name: 'gcm_scheduler_runs_total', help: 'Archive runs, by kind and final status', labelNames: ['kind', 'status'], registers: [registry] });
    this.runDuration = new Histogram({
      name: 'gcm_scheduler_run_duration_seconds',
      help: 'Duration of archive runs',
      labelNames: ['kind'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [registry],
    });
    this.inProgress = new Gauge({ name: 'gcm_scheduler_run_in_progress', help: '1 while an archive run is going in this process', registers: [registry] });
    this.skipped = new Counter({ name: 'gcm_scheduler_runs_skipped_total', help: 'Scheduled runs not started, by reason', labelNames: ['reason'], registers: [registry] });
    this.lastSuccess = new Gauge({
      name: 'gcm_scheduler_last_success_timestamp_seconds',
      help: 'When a run last ended succeeded or partial',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.watermark = new Gauge({ name: 'gcm_archive_watermark_timestamp_seconds', help: 'Conversation time archived up to', registers: [registry] });
    this.conversations = new Counter({
      name: 'gcm_archive_conversations_total',
      help: 'Conversation archive attempts, by outcome (archived, unchanged, failed, parked, released, lost)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.apiCalls = new Counter({ name: 'gcm_archive_api_calls_total', help: 'Genesys API calls made by archive runs', registers: [registry] });
    this.retentionRemoved = new Counter({ name: 'gcm_retention_versions_removed_total', help: 'Archive versions removed by retention sweeps', registers: [registry] });
  }

  runStarted(): void {
    this.inProgress.set(1);
  }

  conversation(event: ConversationEvent): void {
    this.conversations.inc({ outcome: event.outcome });
  }

  runFinished(summary: ArchiveRunSummary): void {
    this.inProgress.set(0);
    this.runs.inc({ kind: summary.kind, status: summary.status });
    this.runDuration.observe({ kind: summary.kind }, summary.durationMs / 1_000);
    this.apiCalls.inc(summary.apiCalls);
    if (summary.status === 'succeeded' || summary.status === 'partial' || summary.status === 'idle') {
      this.lastSuccess.set({ kind: summary.kind }, Date.now() / 1_000);
    }
    if (summary.watermark) this.watermark.set(Date.parse(summary.watermark) / 1_000);
  }

  runSkipped(reason: 'overlap' | 'shutting-down'): void {
    this.skipped.inc({ reason });
  }

  retentionSwept(report: RetentionReport): void {
    if (!report.dryRun) this.retentionRemoved.inc(report.removed);
  }
}
