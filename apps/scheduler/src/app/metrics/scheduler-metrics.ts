import type { ArchiveObserver, ArchiveRunSummary, ConversationEvent, RetentionReport } from '@gcm/archive';
import type { LiveEvent } from '@gcm/live-events';
import type { StoreFaultClass } from '@gcm/store';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LiveFeedStatus } from '../live/live-feed-runner.service';

/**
 * The scheduler's Prometheus metrics, on the app's own Registry (served at /metrics with
 * the audit and process metrics):
 * - gcm_scheduler_runs_total{kind,status}, gcm_scheduler_run_duration_seconds{kind}
 * - gcm_scheduler_run_in_progress, gcm_scheduler_runs_skipped_total{reason}
 * - gcm_scheduler_last_success_timestamp_seconds{kind}, gcm_archive_watermark_timestamp_seconds
 * - gcm_archive_conversations_total{outcome}, gcm_archive_api_calls_total
 * - gcm_archive_lease_takeovers_total, gcm_archive_job_runs_abandoned_total, gcm_archive_queue_items{status}
 * - gcm_retention_versions_removed_total
 * - gcm_store_errors_total{class}: failed database and archive-sink operations by fault class
 *   (connection, busy, disk-full, quota, read-only, permission), retried ones included
 * - with the live feed: gcm_live_feed_running, gcm_live_feed_channels_open, gcm_live_feed_topics{verdict},
 *   gcm_live_feed_events_total{type}, gcm_live_feed_last_event_timestamp_seconds,
 *   gcm_live_feed_watermark_timestamp_seconds
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
  private readonly liveEvents: Counter<'type'>;
  private readonly takeovers: Counter;
  private readonly abandoned: Counter;
  private readonly storeErrors: Counter<'class'>;

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
    this.takeovers = new Counter({
      name: 'gcm_archive_lease_takeovers_total',
      help: 'Times this replica took the archive run lease over from a replica that stopped renewing it',
      registers: [registry],
    });
    this.abandoned = new Counter({
      name: 'gcm_archive_job_runs_abandoned_total',
      help: 'Job runs this replica ended abandoned because their holder stopped renewing them',
      registers: [registry],
    });
    this.storeErrors = new Counter({
      name: 'gcm_store_errors_total',
      help: 'Failed database and archive-sink operations, by fault class (retried attempts included)',
      labelNames: ['class'],
      registers: [registry],
    });
    this.liveEvents = new Counter({ name: 'gcm_live_feed_events_total', help: 'Live events this replica wrote to the CRM outbox, by type', labelNames: ['type'], registers: [registry] });
  }

  storeFault(faultClass: StoreFaultClass): void {
    this.storeErrors.inc({ class: faultClass });
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

  leaseTakenOver(): void {
    this.takeovers.inc();
  }

  runsAbandoned(count: number): void {
    this.abandoned.inc(count);
  }

  /** Depth of the archive queue being worked on, read at every scrape. Call once. */
  observeArchiveQueue(read: () => Promise<{ counts: Record<'pending' | 'in-flight' | 'done' | 'dead', number> } | undefined>): void {
    new Gauge({
      name: 'gcm_archive_queue_items',
      help: 'Work items of the archive window being worked on, by status (pending, in-flight, done, dead); 0 between windows',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const depth = await read().catch(() => undefined);
        for (const status of ['pending', 'in-flight', 'done', 'dead'] as const) this.set({ status }, depth?.counts[status] ?? 0);
      },
    });
  }

  runSkipped(reason: 'overlap' | 'shutting-down'): void {
    this.skipped.inc({ reason });
  }

  retentionSwept(report: RetentionReport): void {
    if (!report.dryRun) this.retentionRemoved.inc(report.removed);
  }

  liveEventsWritten(events: readonly LiveEvent[]): void {
    for (const event of events) this.liveEvents.inc({ type: event.type });
  }

  /** The live feed's gauges, read from its status at every scrape. Call once. */
  observeLiveFeed(status: () => LiveFeedStatus): void {
    const seconds = (iso: string | undefined) => (iso === undefined ? 0 : Date.parse(iso) / 1_000);
    const gauge = (name: string, help: string, read: (current: LiveFeedStatus) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read(status()));
        },
      });
    gauge('gcm_live_feed_running', '1 while this replica runs the live feed (it holds the lease), 0 on standby', (s) => (s.state === 'running' ? 1 : 0));
    gauge('gcm_live_feed_channels_open', 'Notification channels of the live feed with an open socket', (s) => s.channelsOpen);
    gauge('gcm_live_feed_last_event_timestamp_seconds', 'When this replica last wrote a live event to the CRM outbox (0: never)', (s) => seconds(s.lastEventAt));
    gauge('gcm_live_feed_watermark_timestamp_seconds', 'Live events up to this instant are in the CRM outbox (0: unknown)', (s) => seconds(s.watermark));
    new Gauge({
      name: 'gcm_live_feed_topics',
      help: 'Topics of the live feed by verdict (permitted, rejected)',
      labelNames: ['verdict'],
      registers: [this.registry],
      collect() {
        const { topics } = status();
        this.set({ verdict: 'permitted' }, topics.permitted);
        this.set({ verdict: 'rejected' }, topics.rejected);
      },
    });
  }
}
