import { Inject, Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { ArchiveRunner } from '../archive/archive-runner.service';
import { RetentionRunner } from '../retention/retention-runner.service';
import { WebhookRunner } from '../webhooks/webhook-runner.service';
import {
  ARCHIVE_CRON_DEFAULT,
  ARCHIVE_CRON_JOB,
  RETENTION_CRON_DEFAULT,
  RETENTION_CRON_JOB,
  WEBHOOK_CRON_DEFAULT,
  WEBHOOK_CRON_JOB,
} from './cron.constants';

/** The schedule. Methods only decorate and delegate; the runners do the work. */
@Injectable()
export class CronService {
  constructor(
    @Inject(ArchiveRunner) private readonly archive: ArchiveRunner,
    @Inject(RetentionRunner) private readonly retention: RetentionRunner,
    @Inject(WebhookRunner) private readonly webhooks: WebhookRunner,
  ) {}

  @Cron(ARCHIVE_CRON_DEFAULT, { name: ARCHIVE_CRON_JOB, timeZone: 'UTC', waitForCompletion: true, disabled: true })
  async archiveConversations(): Promise<void> {
    await this.archive.runScheduled('cron');
  }

  @Cron(RETENTION_CRON_DEFAULT, { name: RETENTION_CRON_JOB, timeZone: 'UTC', waitForCompletion: true, disabled: true })
  async sweepRetention(): Promise<void> {
    await this.retention.sweep();
  }

  @Cron(WEBHOOK_CRON_DEFAULT, { name: WEBHOOK_CRON_JOB, timeZone: 'UTC', waitForCompletion: true, disabled: true })
  async deliverWebhooks(): Promise<void> {
    await this.webhooks.deliverDue();
  }
}
