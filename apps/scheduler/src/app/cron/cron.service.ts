import { Inject, Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { ArchiveRunner } from '../archive/archive-runner.service';
import { CrmSyncRunner } from '../crm/crm-sync-runner.service';
import { QaSnapshotRunner } from '../qa/qa-snapshot-runner.service';
import { RetentionRunner } from '../retention/retention-runner.service';
import { WebhookRunner } from '../webhooks/webhook-runner.service';
import {
  ARCHIVE_CRON_DEFAULT,
  ARCHIVE_CRON_JOB,
  CRM_SYNC_CRON_DEFAULT,
  CRM_SYNC_CRON_JOB,
  QA_SNAPSHOT_CRON_DEFAULT,
  QA_SNAPSHOT_CRON_JOB,
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
    @Inject(CrmSyncRunner) private readonly crm: CrmSyncRunner,
    @Inject(QaSnapshotRunner) private readonly qa: QaSnapshotRunner,
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

  @Cron(CRM_SYNC_CRON_DEFAULT, { name: CRM_SYNC_CRON_JOB, timeZone: 'UTC', waitForCompletion: true, disabled: true })
  async syncCrm(): Promise<void> {
    await this.crm.syncDue();
  }

  @Cron(QA_SNAPSHOT_CRON_DEFAULT, { name: QA_SNAPSHOT_CRON_JOB, timeZone: 'UTC', waitForCompletion: true, disabled: true })
  async snapshotQa(): Promise<void> {
    await this.qa.snapshotPreviousDay();
  }
}
