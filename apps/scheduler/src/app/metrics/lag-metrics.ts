import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { ArchiveJob } from '@gcm/archive';
import { systemClock, type Clock } from '@gcm/genesys-auth';
import { LiveEventsCheckpoint } from '@gcm/live-events';
import { StoreDatabase } from '@gcm/store';
import { Gauge } from 'prom-client';
import type { SchedulerConfig } from '../config/scheduler-config';
import { LIVE_FEED_CHECKPOINT, LIVE_FEED_TIME, LiveFeedRunner, type LiveFeedTime } from '../live/live-feed-runner.service';
import { SCHEDULER_CONFIG } from '../scheduler.tokens';
import { SchedulerMetrics } from './scheduler-metrics';

/**
 * How far behind now the scheduler's two pipelines are, computed at every scrape:
 *
 * - `gcm_archive_watermark_lag_seconds`: now − the archive watermark stored in the database
 *   (`ArchiveJob.status()`: conversations are archived up to it). The same on every replica.
 *   It moves in steps: a run takes the next window once it is due (settle delay, cron), so a
 *   healthy value stays below the cron period + `GCM_SCHEDULER_SETTLE_DELAY` + a run's length.
 * - `gcm_live_feed_lag_seconds` (with the live feed): now − the instant up to which every
 *   live event is in the CRM outbox. On the replica running the feed it is the feed's own
 *   watermark (held back by snapshots still being processed and by gaps still being
 *   filled); on the others, the checkpoint it saves every 5 s, so a feed that nobody runs
 *   shows as a growing lag everywhere.
 *
 * NaN while the watermark is not known yet (no run finished a window; the feed never started).
 */
@Injectable()
export class LagMetrics implements OnModuleInit {
  private readonly clock: Clock;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    @Inject(SchedulerMetrics) private readonly metrics: SchedulerMetrics,
    @Inject(ArchiveJob) private readonly job: ArchiveJob,
    @Inject(StoreDatabase) private readonly store: StoreDatabase,
    @Inject(LiveFeedRunner) private readonly liveFeed: LiveFeedRunner,
    @Optional() @Inject(LIVE_FEED_TIME) time?: LiveFeedTime | null,
  ) {
    this.clock = time?.clock ?? systemClock;
  }

  onModuleInit(): void {
    const lag = (at: number | undefined) => (at === undefined || !Number.isFinite(at) ? Number.NaN : Math.max(0, this.clock.now() - at) / 1_000);
    const archiveWatermark = async () => {
      const { watermark } = await this.job.status();
      return watermark === undefined ? undefined : Date.parse(watermark);
    };
    new Gauge({
      name: 'gcm_archive_watermark_lag_seconds',
      help: 'Seconds between now and the archive watermark (conversations archived up to it); NaN before the first window is done',
      registers: [this.metrics.registry],
      async collect() {
        this.set(lag(await archiveWatermark().catch(() => undefined)));
      },
    });
    if (!this.config.live) return;
    const checkpoint = new LiveEventsCheckpoint(this.store, LIVE_FEED_CHECKPOINT);
    const liveWatermark = async () => {
      const status = this.liveFeed.status();
      if ((status.state === 'running' || status.state === 'starting') && status.watermark !== undefined) return Date.parse(status.watermark);
      return checkpoint.load().catch(() => undefined);
    };
    new Gauge({
      name: 'gcm_live_feed_lag_seconds',
      help: 'Seconds between now and the instant up to which every live event is in the CRM outbox; NaN before the feed first saved its watermark',
      registers: [this.metrics.registry],
      async collect() {
        this.set(lag(await liveWatermark()));
      },
    });
  }
}
