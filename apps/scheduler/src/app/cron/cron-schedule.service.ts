import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronTime } from 'cron';
import type { SchedulerConfig } from '../config/scheduler-config';
import { GcmLogger } from '@gcm/logging';
import { SCHEDULER_CONFIG } from '../scheduler.tokens';
import { ARCHIVE_CRON_JOB, CRM_SYNC_CRON_JOB, QA_SNAPSHOT_CRON_JOB, RETENTION_CRON_JOB, WEBHOOK_CRON_JOB } from './cron.constants';

/**
 * Applies the configured expressions (UTC) to the declared cron jobs and starts the ones
 * in use: the archive schedule unless it is `off` or the process is a one-shot backfill,
 * retention when a policy is set, webhook delivery when an endpoint is, CRM sync when a CRM
 * endpoint is, QA snapshots unless their cron is `off`.
 */
@Injectable()
export class CronScheduleService implements OnApplicationBootstrap {
  constructor(
    @Inject(SchedulerRegistry) private readonly registry: SchedulerRegistry,
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    @Inject(GcmLogger) private readonly logger: GcmLogger,
  ) {}

  onApplicationBootstrap(): void {
    const oneShot = this.config.backfill !== undefined;
    this.apply(ARCHIVE_CRON_JOB, this.config.cron, !oneShot && this.config.cron !== 'off');
    this.apply(RETENTION_CRON_JOB, this.config.retention?.cron, !oneShot && this.config.retention !== undefined && this.config.retention.cron !== 'off');
    this.apply(WEBHOOK_CRON_JOB, undefined, !oneShot && this.config.webhook !== undefined);
    this.apply(CRM_SYNC_CRON_JOB, this.config.crm?.cron, !oneShot && this.config.crm !== undefined && this.config.crm.cron !== 'off');
    this.apply(QA_SNAPSHOT_CRON_JOB, this.config.qa.cron, !oneShot && this.config.qa.cron !== 'off');
  }

  /** When each enabled job fires next (ISO-8601), for the start-up log and tests. */
  nextRuns(): Record<string, string> {
    const next: Record<string, string> = {};
    for (const [name, job] of this.registry.getCronJobs()) {
      if (job.isActive) next[name] = job.nextDate().toUTC().toISO() ?? '';
    }
    return next;
  }

  private apply(name: string, expression: string | undefined, enabled: boolean): void {
    const job = this.registry.getCronJob(name);
    if (expression !== undefined && expression !== 'off') job.setTime(new CronTime(expression, 'UTC'));
    if (enabled) job.start();
    else job.stop();
    this.logger.emit('debug', `Cron job ${name} ${enabled ? `scheduled (${expression ?? 'default'}, UTC)` : 'disabled'}`, {}, CronScheduleService.name);
  }
}
