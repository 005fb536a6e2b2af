import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { ArchiveJob, type ArchiveRunSummary, type ArchiveWindow } from '@gcm/archive';
import { GcmLogger } from '@gcm/logging';
import { SchedulerMetrics } from '../metrics/scheduler-metrics';

export type RunTrigger = 'cron' | 'start-up' | 'backfill';

/**
 * Runs the archive job for the cron, the start-up run and backfills: never two at once in
 * this process (a tick that finds a run going is skipped and counted), and across
 * replicas the job's database lease decides who runs. On shutdown it asks the running
 * job to stop — in-flight conversations finish within the grace period or are handed
 * back — and waits for it before the database closes.
 */
@Injectable()
export class ArchiveRunner implements BeforeApplicationShutdown {
  private current?: Promise<ArchiveRunSummary | undefined>;
  private readonly stop = new AbortController();
  private last?: ArchiveRunSummary;

  constructor(
    @Inject(ArchiveJob) private readonly job: ArchiveJob,
    @Inject(SchedulerMetrics) private readonly metrics: SchedulerMetrics,
    @Inject(GcmLogger) private readonly logger: GcmLogger,
  ) {
    metrics.observeArchiveQueue(async () => this.job.queueDepth());
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  get stopping(): boolean {
    return this.stop.signal.aborted;
  }

  get lastSummary(): ArchiveRunSummary | undefined {
    return this.last;
  }

  /** A scheduled run; undefined when skipped because one is going or the app is stopping. */
  async runScheduled(trigger: Exclude<RunTrigger, 'backfill'>): Promise<ArchiveRunSummary | undefined> {
    return this.exclusive(trigger, () => this.job.run({ signal: this.stop.signal }));
  }

  /** Archives an explicit window again, waiting for the run lease if another replica holds it. */
  async backfill(window: ArchiveWindow): Promise<ArchiveRunSummary | undefined> {
    return this.exclusive('backfill', () => this.job.backfill(window, { signal: this.stop.signal, waitForLease: true }));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort(new Error('the scheduler is shutting down'));
    if (this.current) {
      this.logger.emit('info', 'Waiting for the archive run to stop', {}, ArchiveRunner.name);
      await this.current.catch(() => undefined);
    }
  }

  private async exclusive(trigger: RunTrigger, run: () => Promise<ArchiveRunSummary>): Promise<ArchiveRunSummary | undefined> {
    if (this.stop.signal.aborted) {
      this.metrics.runSkipped('shutting-down');
      return undefined;
    }
    if (this.current) {
      this.metrics.runSkipped('overlap');
      this.logger.emit('warn', 'Archive run skipped: the previous run is still going', { trigger }, ArchiveRunner.name);
      return undefined;
    }
    const scope = {};
    this.current = this.logger.scope.run(scope, async () => {
      try {
        const summary = await run();
        this.last = summary;
        return summary;
      } catch (error) {
        // a run never takes the process down: it is logged, counted, and the next tick tries again
        this.logger.emit('error', `Archive run failed: ${(error as Error).message}`, { trigger }, ArchiveRunner.name);
        return undefined;
      }
    });
    try {
      return await this.current;
    } finally {
      this.current = undefined;
    }
  }
}
