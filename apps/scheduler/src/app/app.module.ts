import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { ArchiveObserver } from '@gcm/archive';
import { ArchiveModule } from '@gcm/archive/nest';
import { WebhookDispatcher, type AuditLog } from '@gcm/audit';
import { AUDIT_LOG, AuditModule, WebhookModule } from '@gcm/audit/nest';
import { GenesysTransport } from '@gcm/genesys-auth';
import { GenesysAuthModule } from '@gcm/genesys-auth/nest';
import { CrmSyncModule, QaSnapshotModule } from '@gcm/live-events/nest';
import { MessagingClient } from '@gcm/messaging-client';
import { ConversationSearch } from '@gcm/search-stream';
import { StoreDatabase, type ArchiveSink } from '@gcm/store';
import { ARCHIVE_SINK, StoreModule } from '@gcm/store/nest';
import { Registry } from 'prom-client';
import { ArchiveRunner } from './archive/archive-runner.service';
import type { SchedulerConfig } from './config/scheduler-config';
import { CronScheduleService } from './cron/cron-schedule.service';
import { CronService } from './cron/cron.service';
import { CrmSyncRunner } from './crm/crm-sync-runner.service';
import { HealthController } from './health/health.controller';
import { CRM_ENDPOINT_ID, LiveFeedRunner } from './live/live-feed-runner.service';
import { GcmLogger } from '@gcm/logging';
import { LoggingModule } from '@gcm/logging/nest';
import { GenesysClientMetrics } from './metrics/genesys-client-metrics';
import { LagMetrics } from './metrics/lag-metrics';
import { SchedulerMetrics } from './metrics/scheduler-metrics';
import { storeHealthReporter } from './metrics/store-health';
import { QaSnapshotRunner } from './qa/qa-snapshot-runner.service';
import { RetentionRunner } from './retention/retention-runner.service';
import { SCHEDULER_CONFIG } from './scheduler.tokens';
import { WebhookRunner } from './webhooks/webhook-runner.service';

/** The webhook endpoint id events are addressed to (the outbox destination). */
export const WEBHOOK_ENDPOINT_ID = 'archive-events';


/**
 * The scheduler: the shared libs wired from the validated configuration, the cron
 * schedule, the runners it delegates to, and the health/metrics endpoints.
 */
@Module({})
export class AppModule {
  static forRoot(config: SchedulerConfig, logger: GcmLogger): DynamicModule {
    const metrics = new SchedulerMetrics(new Registry());
    const genesysMetrics = new GenesysClientMetrics(metrics.registry);
    const crm = config.crm;
    // tags every log line of a run with its id, and feeds the metrics
    const observer: ArchiveObserver = {
      runStarted: (event) => {
        const scope = logger.scope.getStore();
        if (scope) scope.runId = event.runId;
        metrics.runStarted();
        logger.emit('info', `Archive run started (${event.kind})`, { runId: event.runId, kind: event.kind }, ArchiveRunner.name);
      },
      conversation: (event) => metrics.conversation(event),
      runFinished: (summary) => metrics.runFinished(summary),
      leaseTakenOver: (event) => {
        metrics.leaseTakenOver();
        logger.emit('warn', `Took the archive run lease over from ${event.from}`, { ...event }, ArchiveRunner.name);
      },
      runsAbandoned: (count) => metrics.runsAbandoned(count),
    };
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot({ logger }),
        ScheduleModule.forRoot(),
        StoreModule.forRoot({
          url: config.databaseUrl,
          storeRetry: { budgetMs: config.storeRetryMs },
          health: storeHealthReporter(logger, metrics),
          archive: config.archive.sink === 'filesystem' ? { kind: 'filesystem', root: config.archive.directory } : { kind: 'database' },
          isGlobal: true,
        }),
        AuditModule.forRoot({
          directory: config.auditDirectory,
          fsync: 'always',
          redaction: { knownSecrets: config.secrets },
          registry: metrics.registry,
          systemActor: config.replicaId,
          isGlobal: true,
        }),
        GenesysAuthModule.forRoot({
          region: config.genesys.region,
          apiBaseUrl: config.genesys.apiBaseUrl,
          loginBaseUrl: config.genesys.loginBaseUrl,
          clientId: config.genesys.clientId,
          clientSecret: config.genesys.clientSecret,
          // a client pool when GENESYSCLOUD_OAUTHCLIENT_ID_2 … are set: the rate limit is per client
          additionalClients: config.genesys.additionalClients,
          transport: {
            rateLimit: { requestsPerMinute: config.genesys.requestsPerMinute },
            logger: logger.forLibrary('GenesysTransport'),
            onResponse: (event) => {
              genesysMetrics.exchange(event);
              // at debug: one line per Genesys call, with its ININ-Correlation-Id and (from the scope) the run id
              logger.write('debug', 'Genesys call', { context: 'GenesysTransport', method: event.method, path: event.path, status: event.status, durationMs: event.durationMs, attempt: event.attempt, clientId: event.clientId, correlationId: event.contextId });
            },
          },
        }),
        ...(config.webhook
          ? [
              WebhookModule.forRoot({
                endpoints: [{ id: WEBHOOK_ENDPOINT_ID, url: config.webhook.url, secret: config.webhook.secret }],
                owner: `webhooks-${config.replicaId}`,
                isGlobal: true,
              }),
            ]
          : []),
        ...(crm
          ? [
              CrmSyncModule.forRootAsync({
                isGlobal: true,
                inject: [StoreDatabase, AUDIT_LOG],
                useFactory: (store: StoreDatabase, audit: AuditLog) => ({
                  store,
                  audit,
                  endpoints: [{ id: CRM_ENDPOINT_ID, url: crm.url, ...(crm.secret ? { secret: crm.secret } : {}) }],
                  timeoutMs: crm.timeoutMs,
                  owner: `crm-sync-${config.replicaId}`,
                }),
              }),
            ]
          : []),
        ...(config.qa.cron !== 'off'
          ? [
              QaSnapshotModule.forRootAsync({
                isGlobal: true,
                inject: [StoreDatabase, GenesysTransport],
                useFactory: (store: StoreDatabase, transport: GenesysTransport) => ({
                  store,
                  transport,
                  name: config.qa.name,
                  ...(config.qa.queueIds ? { queueIds: config.qa.queueIds } : {}),
                  logger: logger.forLibrary('QaSnapshotJob'),
                }),
              }),
            ]
          : []),
        ArchiveModule.forRootAsync({
          inject: [StoreDatabase, ARCHIVE_SINK, GenesysTransport, AUDIT_LOG, { token: WebhookDispatcher, optional: true }],
          useFactory: (store: StoreDatabase, sink: ArchiveSink, transport: GenesysTransport, audit: AuditLog, webhooks?: WebhookDispatcher) => ({
            store,
            sink,
            transport,
            audit,
            webhooks: webhooks ?? undefined,
            search: new ConversationSearch({ transport, logger: logger.forLibrary('ConversationSearch') }),
            messaging: new MessagingClient({ transport }),
            observer,
            logger: logger.forLibrary('ArchiveJob'),
            owner: config.replicaId,
            settleDelayMs: config.job.settleDelayMs,
            ...(config.job.startAt !== undefined ? { startAt: config.job.startAt } : {}),
            initialLookbackMs: config.job.initialLookbackMs,
            maxWindowMs: config.job.maxWindowMs,
            concurrency: config.job.concurrency,
            leaseMs: config.job.leaseMs,
            match: config.job.match,
            retry: { maxAttempts: config.job.maxAttempts },
            shutdownGraceMs: config.shutdownGraceMs,
          }),
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: SCHEDULER_CONFIG, useValue: config },
        { provide: GcmLogger, useValue: logger },
        { provide: SchedulerMetrics, useValue: metrics },
        {
          provide: GenesysClientMetrics,
          inject: [GenesysTransport],
          useFactory: (transport: GenesysTransport) => {
            genesysMetrics.observeClients(() => transport.clientStats());
            return genesysMetrics;
          },
        },
        ArchiveRunner,
        RetentionRunner,
        WebhookRunner,
        CrmSyncRunner,
        LiveFeedRunner,
        LagMetrics,
        QaSnapshotRunner,
        CronService,
        CronScheduleService,
      ],
    };
  }
}
