import { Test } from '@nestjs/testing';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Redactor } from '@gcm/audit';
import { ArchiveRunner } from '../archive/archive-runner.service';
import { CrmSyncRunner } from '../crm/crm-sync-runner.service';
import { QaSnapshotRunner } from '../qa/qa-snapshot-runner.service';
import { loadSchedulerConfig, type SchedulerConfig } from '../config/scheduler-config';
import { GcmLogger } from '@gcm/logging';
import { RetentionRunner } from '../retention/retention-runner.service';
import { SCHEDULER_CONFIG } from '../scheduler.tokens';
import { WebhookRunner } from '../webhooks/webhook-runner.service';
import { CronScheduleService } from './cron-schedule.service';
import { CronService } from './cron.service';
import { ARCHIVE_CRON_JOB, CRM_SYNC_CRON_JOB, QA_SNAPSHOT_CRON_JOB, RETENTION_CRON_JOB, WEBHOOK_CRON_JOB } from './cron.constants';

const base = { GENESYSCLOUD_REGION: 'us-east-1', GENESYSCLOUD_OAUTHCLIENT_ID: 'id', GENESYSCLOUD_OAUTHCLIENT_SECRET: 'secret' };

async function schedule(config: SchedulerConfig) {
  const calls: string[] = [];
  const moduleRef = await Test.createTestingModule({
    imports: [ScheduleModule.forRoot()],
    providers: [
      CronService,
      CronScheduleService,
      { provide: SCHEDULER_CONFIG, useValue: config },
      { provide: GcmLogger, useValue: new GcmLogger({ level: 'error', redactor: new Redactor(), sink: { write: () => undefined } }) },
      { provide: ArchiveRunner, useValue: { runScheduled: async (trigger: string) => void calls.push(`archive:${trigger}`) } },
      { provide: RetentionRunner, useValue: { sweep: async () => void calls.push('retention') } },
      { provide: WebhookRunner, useValue: { deliverDue: async () => void calls.push('webhooks') } },
      { provide: CrmSyncRunner, useValue: { syncDue: async () => void calls.push('crm') } },
      { provide: QaSnapshotRunner, useValue: { snapshotPreviousDay: async () => void calls.push('qa') } },
    ],
  }).compile();
  const app = moduleRef.createNestApplication();
  await app.init();
  return { app, registry: app.get(SchedulerRegistry), cron: app.get(CronService), calls };
}

describe('the schedule', () => {
  it('runs the archive every 15 minutes in UTC by default, and nothing else unless configured', async () => {
    const { app, registry } = await schedule(loadSchedulerConfig(base));
    try {
      const archive = registry.getCronJob(ARCHIVE_CRON_JOB);
      expect(archive.isActive).toBe(true);
      expect(String(archive.cronTime.source)).toBe('*/15 * * * *');
      expect(archive.cronTime.timeZone).toBe('UTC');
      const next = archive.nextDate().toUTC();
      expect(next.minute % 15).toBe(0);
      expect(next.second).toBe(0);
      expect(registry.getCronJob(RETENTION_CRON_JOB).isActive).toBe(false);
      expect(registry.getCronJob(WEBHOOK_CRON_JOB).isActive).toBe(false);
      expect(registry.getCronJob(CRM_SYNC_CRON_JOB).isActive).toBe(false);
      const qa = registry.getCronJob(QA_SNAPSHOT_CRON_JOB);
      expect([qa.isActive, String(qa.cronTime.source)]).toEqual([true, '15 0 * * *']);
    } finally {
      await app.close();
    }
  });

  it('syncs the CRM on its cron when a CRM endpoint is configured, and turns QA snapshots off with "off"', async () => {
    const { app, registry } = await schedule(
      loadSchedulerConfig({ ...base, GCM_SCHEDULER_CRM_URL: 'https://crm.example.com/gcm', GCM_SCHEDULER_CRM_CRON: '*/10 * * * * *', GCM_SCHEDULER_QA_CRON: 'off' }),
    );
    try {
      const crm = registry.getCronJob(CRM_SYNC_CRON_JOB);
      expect([crm.isActive, String(crm.cronTime.source)]).toEqual([true, '*/10 * * * * *']);
      expect(registry.getCronJob(QA_SNAPSHOT_CRON_JOB).isActive).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('applies the configured expressions and starts retention and webhook delivery when they are set up', async () => {
    const { app, registry } = await schedule(
      loadSchedulerConfig({
        ...base,
        GCM_SCHEDULER_CRON: '0 5 * * *',
        GCM_SCHEDULER_RETENTION_KEEP_VERSIONS: '2',
        GCM_SCHEDULER_RETENTION_CRON: '0 4 * * 0',
        GCM_SCHEDULER_WEBHOOK_URL: 'https://hooks.example.com/gcm',
        GCM_SCHEDULER_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      }),
    );
    try {
      const archive = registry.getCronJob(ARCHIVE_CRON_JOB);
      expect([archive.isActive, String(archive.cronTime.source)]).toEqual([true, '0 5 * * *']);
      expect(archive.nextDate().toUTC().hour).toBe(5);
      const retention = registry.getCronJob(RETENTION_CRON_JOB);
      expect([retention.isActive, String(retention.cronTime.source)]).toEqual([true, '0 4 * * 0']);
      expect(registry.getCronJob(WEBHOOK_CRON_JOB).isActive).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('schedules nothing in a one-shot backfill, or when the archive cron is off', async () => {
    for (const env of [{ GCM_SCHEDULER_BACKFILL: '2026-01-01T00:00:00Z/2026-01-02T00:00:00Z' }, { GCM_SCHEDULER_CRON: 'off' }]) {
      const { app, registry } = await schedule(loadSchedulerConfig({ ...base, ...env }));
      try {
        expect(registry.getCronJob(ARCHIVE_CRON_JOB).isActive).toBe(false);
      } finally {
        await app.close();
      }
    }
  });

  it('has methods that only delegate', async () => {
    const { app, cron, calls } = await schedule(loadSchedulerConfig(base));
    try {
      await cron.archiveConversations();
      await cron.sweepRetention();
      await cron.deliverWebhooks();
      await cron.syncCrm();
      await cron.snapshotQa();
      expect(calls).toEqual(['archive:cron', 'retention', 'webhooks', 'crm', 'qa']);
    } finally {
      await app.close();
    }
  });
});
