import { hostname } from 'node:os';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ArchiveModule } from '@gcm/archive/nest';
import type { AuditLog } from '@gcm/audit';
import { AUDIT_LOG, AuditModule } from '@gcm/audit/nest';
import { GenesysTransport, systemClock, type GenesysConnection } from '@gcm/genesys-auth';
import { GenesysAuthModule, GENESYS_CONNECTION } from '@gcm/genesys-auth/nest';
import { HistoryTimelineModule } from '@gcm/history-timeline/nest';
import { MessagingClient } from '@gcm/messaging-client';
import { MessagingClientModule } from '@gcm/messaging-client/nest';
import { ConversationSearch } from '@gcm/search-stream';
import { SearchStreamModule } from '@gcm/search-stream/nest';
import { StoreDatabase, type ArchiveSink } from '@gcm/store';
import { ARCHIVE_SINK, StoreModule } from '@gcm/store/nest';
import type { ApiRuntime } from './api-runtime';
import { ArchiveRunRegistry } from './archives/archive-run.registry';
import { ArchivesModule } from './archives/archives.module';
import { AuditTrailModule } from './audit/audit.module';
import { ApiKeyGuard } from './auth/api-key.guard';
import type { ApiConfig } from './config/api-config';
import { configSecrets } from './config/api-config';
import { BodyParsingInterceptor } from './http/body-parsing.interceptor';
import { ConversationsModule } from './conversations/conversations.module';
import { CoreModule } from './core.module';
import { EventsModule } from './events/events.module';
import { ReviewModule } from './review/review.module';
import { GuestSessionsModule } from './guest-sessions/guest-sessions.module';
import { HealthModule } from './health/health.module';
import type { GcmLogger } from '@gcm/logging';
import { MetricsModule } from './metrics/metrics.module';
import { MetricsService } from './metrics/metrics.service';
import { ProblemDetailsFilter } from './problem/problem-details.filter';
import { SearchModule } from './search/search.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { LoggingModule } from '@gcm/logging/nest';
import { requestLog } from './logging/request-log';

/**
 * The API: the shared libs wired once from the validated config (one Genesys transport
 * for everything), the API's infrastructure, and one module per feature.
 */
@Module({})
export class AppModule {
  static forRoot(config: ApiConfig, runtime: ApiRuntime, logger: GcmLogger): DynamicModule {
    const clock = runtime.clock ?? systemClock;
    const owner = `api-${hostname()}-${process.pid}`;
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, runtime, logger),
        LoggingModule.forRoot({ logger, http: requestLog }),
        StoreModule.forRoot({
          url: config.database.url,
          storeRetry: { budgetMs: config.database.retryMs },
          archive: config.archive.sink === 'filesystem' ? { kind: 'filesystem', root: config.archive.dir } : { kind: 'database' },
          clock,
          isGlobal: true,
        }),
        AuditModule.forRootAsync({
          isGlobal: true,
          inject: [MetricsService],
          useFactory: (metrics: MetricsService) => ({
            directory: config.audit.dir,
            fsync: 'always',
            redaction: { knownSecrets: configSecrets(config) },
            registry: metrics.registry,
            systemActor: owner,
            clock,
          }),
        }),
        GenesysAuthModule.forRootAsync({
          isGlobal: true,
          inject: [MetricsService],
          useFactory: (metrics: MetricsService) => ({
            region: config.genesys.region,
            apiBaseUrl: config.genesys.apiBaseUrl,
            loginBaseUrl: config.genesys.loginBaseUrl,
            clientId: config.genesys.clientId,
            clientSecret: config.genesys.clientSecret,
            token: { clock, ...(runtime.sleep ? { sleep: runtime.sleep } : {}), logger: logger.forLibrary('GenesysToken') },
            transport: {
              rateLimit: { requestsPerMinute: config.genesys.requestsPerMinute, maxConcurrency: config.genesys.maxConcurrency },
              clock,
              ...(runtime.sleep ? { sleep: runtime.sleep } : {}),
              ...(runtime.random ? { random: runtime.random } : {}),
              ...(runtime.genesysRetry ? { retry: runtime.genesysRetry } : {}),
              logger: logger.forLibrary('GenesysTransport'),
              onResponse: (event) => {
                metrics.observeGenesysResponse(event.status);
                // at debug: one line per Genesys call, with its ININ-Correlation-Id and (from the scope) the request id
                logger.write('debug', 'Genesys call', { context: 'GenesysTransport', method: event.method, path: event.path, status: event.status, durationMs: event.durationMs, attempt: event.attempt, correlationId: event.contextId });
              },
              userAgent: 'gcm-api',
            },
          }),
        }),
        MessagingClientModule.forRootAsync({
          isGlobal: true,
          inject: [GenesysTransport, GENESYS_CONNECTION, MetricsService],
          useFactory: (transport: GenesysTransport, connection: GenesysConnection, metrics: MetricsService) => ({
            transport,
            metrics: metrics.deliveryListener(),
            guest: { apiBaseUrl: connection.environment.apiBaseUrl, clock, logger: logger.forLibrary('GuestSession') },
          }),
        }),
        HistoryTimelineModule.forRootAsync({
          isGlobal: true,
          inject: [MessagingClient],
          useFactory: (source: MessagingClient) => ({ source, clock }),
        }),
        SearchStreamModule.forRootAsync({
          isGlobal: true,
          inject: [GenesysTransport],
          useFactory: (transport: GenesysTransport) => ({ transport, clock, logger: logger.forLibrary('ConversationSearch'), ...runtime.search }),
        }),
        ArchiveModule.forRootAsync({
          isGlobal: true,
          inject: [StoreDatabase, ARCHIVE_SINK, GenesysTransport, AUDIT_LOG, MessagingClient, ConversationSearch, ArchiveRunRegistry],
          useFactory: (
            store: StoreDatabase,
            sink: ArchiveSink,
            transport: GenesysTransport,
            audit: AuditLog,
            messaging: MessagingClient,
            search: ConversationSearch,
            runs: ArchiveRunRegistry,
          ) => ({
            store,
            sink,
            transport,
            audit,
            messaging,
            search,
            observer: runs,
            logger: logger.forLibrary('ArchiveJob'),
            owner,
            clock,
            ...runtime.archive,
          }),
        }),
        GuestSessionsModule,
        ConversationsModule,
        SearchModule,
        EventsModule,
        ReviewModule,
        ArchivesModule,
        WebhooksModule,
        AuditTrailModule,
        HealthModule,
        MetricsModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_INTERCEPTOR, useClass: BodyParsingInterceptor },
      ],
    };
  }
}
