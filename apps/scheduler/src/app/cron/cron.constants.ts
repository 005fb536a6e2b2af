/** Names of the scheduled jobs in the SchedulerRegistry. */
export const ARCHIVE_CRON_JOB = 'archive';
export const RETENTION_CRON_JOB = 'retention';
export const WEBHOOK_CRON_JOB = 'webhooks';
export const CRM_SYNC_CRON_JOB = 'crm-sync';
export const QA_SNAPSHOT_CRON_JOB = 'qa-snapshot';

/**
 * Placeholders for the decorators: the real expressions come from the configuration and
 * are applied at start-up (CronScheduleService). Every job is declared disabled so that
 * nothing fires before that.
 */
export const ARCHIVE_CRON_DEFAULT = '*/15 * * * *';
export const RETENTION_CRON_DEFAULT = '30 3 * * *';
export const WEBHOOK_CRON_DEFAULT = '*/15 * * * * *';
export const CRM_SYNC_CRON_DEFAULT = '*/30 * * * * *';
export const QA_SNAPSHOT_CRON_DEFAULT = '15 0 * * *';
