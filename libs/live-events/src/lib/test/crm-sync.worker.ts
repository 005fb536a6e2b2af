/**
 * A CRM sync worker as a real process, for the kill -9 spec: LiveEvents on the sandbox →
 * CrmOutboxSink (SQLite file) → CrmSyncJob → the test's CRM receiver. It resumes from the
 * watermark it saved and prints one JSON line per milestone. Configuration comes in
 * GCM_CRM_WORKER (JSON); secrets in their own variables, never on the command line.
 */
import { createGenesysConnection } from '@gcm/genesys-auth';
import { openDatabase } from '@gcm/store';
import { CrmOutboxSink } from '../crm/crm-outbox.sink';
import { CrmSyncJob } from '../crm/crm-sync.job';
import { LiveEventsCheckpoint } from '../live-events-checkpoint';
import { LiveEvents } from '../live-events.service';

interface WorkerConfig {
  apiBaseUrl: string;
  clientId: string;
  databasePath: string;
  crmUrl: string;
  queueIds: string[];
  userIds: string[];
  batchSize: number;
  maxDelayMs: number;
  leaseMs: number;
}

function say(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env['GCM_CRM_WORKER'] ?? '{}') as WorkerConfig;
  const store = await openDatabase(`sqlite:${config.databasePath}`);
  const checkpoint = new LiveEventsCheckpoint(store, 'crm-worker');
  const resumeFrom = await checkpoint.load();
  const { transport } = createGenesysConnection({
    apiBaseUrl: config.apiBaseUrl,
    clientId: config.clientId,
    clientSecret: process.env['GCM_CRM_WORKER_CLIENT_SECRET'] ?? '',
  });
  const live = LiveEvents.create({
    transport,
    sinks: [new CrmOutboxSink({ store, destination: 'crm' })],
    resumeFrom,
    resumeMarginMs: 2_000,
    checkpoint,
    checkpointIntervalMs: 50,
    logger: { error: (message, context) => say({ event: 'error', message, context }) },
  });
  await live.start();
  await live.follow({ queueIds: config.queueIds, userIds: config.userIds });
  const caughtUp = await live.catchUp();
  const job = new CrmSyncJob({
    store,
    endpoints: [{ id: 'crm', url: config.crmUrl, secret: process.env['GCM_CRM_WORKER_CRM_SECRET'] }],
    batchSize: config.batchSize,
    maxDelayMs: config.maxDelayMs,
    leaseMs: config.leaseMs,
    timeoutMs: 60_000,
  });
  job.start({
    pollMs: 20,
    onReport: (report) => say({ event: 'delivered', ...report }),
    onError: (error) => say({ event: 'error', message: (error as Error).message }),
  });
  say({ event: 'ready', pid: process.pid, resumedFrom: resumeFrom ?? null, caughtUp: caughtUp ? caughtUp.backfilled : null });

  process.once('SIGTERM', () => {
    void (async () => {
      await job.stop();
      await live.close();
      await store.close();
      process.exit(0);
    })();
  });
}

main().catch((error) => {
  say({ event: 'fatal', message: (error as Error).message });
  process.exit(1);
});
