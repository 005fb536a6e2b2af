/**
 * `@gcm/live-events/nest`: the NestJS wiring of `@gcm/live-events` (module, injection tokens, module
 * option types). The main entry `@gcm/live-events` holds the framework-free classes and never
 * loads `@nestjs/*`, so a CLI or script pays nothing for Nest (docs/architecture.md).
 */
export {
  CRM_SYNC_OPTIONS,
  CrmSyncModule,
  LIVE_EVENTS_OPTIONS,
  LiveEventsModule,
  QA_SNAPSHOT_OPTIONS,
  QaSnapshotModule,
  type CrmSyncModuleAsyncOptions,
  type LiveEventsModuleAsyncOptions,
  type LiveEventsModuleOptions,
  type QaSnapshotModuleAsyncOptions,
} from '../lib/live-events.module';
