export { canonicalJson, contentHash, sha256Hex } from './lib/canonical-json';
export { systemClock, type Clock, type RandomSource } from './lib/clock';
export { StoreError, StoreErrorCode } from './lib/store.error';
export {
  classifyStoreFault,
  stoppingFault,
  storageFaultOf,
  StoreFaultError,
  type StoreFaultClass,
} from './lib/faults/store-fault';
export {
  DEFAULT_STORE_RETRY_BUDGET_MS,
  parseStoreRetryBudget,
  type StoreFaultEvent,
  type StoreHealthObserver,
  type StoreRetryOptions,
} from './lib/faults/store-retry';

export {
  DEFAULT_DATABASE_URL,
  parseDatabaseUrl,
  redactDatabaseUrl,
  type DatabaseEngine,
  type DatabaseTarget,
} from './lib/database/database-url';
export { knownMigrations, type MigrationReport } from './lib/database/migrations';
export {
  openDatabase,
  StoreDatabase,
  type OpenDatabaseOptions,
  type StoreRepositories,
} from './lib/database/store-database';

export {
  ArchiveDocumentRepository,
  type StoredArchiveDocument,
  type StoredArchiveDocumentInfo,
} from './lib/repositories/archive-document.repository';
export {
  ArchiveCatalogRepository,
  MAX_CATALOG_PAGE,
  type ArchiveCatalogCursor,
  type ArchiveCatalogEntry,
  type ArchiveCatalogPage,
  type ArchiveCatalogQuery,
} from './lib/repositories/archive-catalog.repository';
export {
  ArchiveIndexRepository,
  type ArchiveIndexEntry,
  type ArchiveIndexRecord,
  type RecordedArchiveEntry,
} from './lib/repositories/archive-index.repository';
export { CheckpointRepository, type Checkpoint, type CheckpointUpdate } from './lib/repositories/checkpoint.repository';
export {
  JobRunRepository,
  MAX_JOB_RUN_ERRORS,
  type AbandonOptions,
  type JobRunStartOptions,
  type JobRun,
  type JobRunCounts,
  type JobRunEnd,
  type JobRunProgress,
  type JobRunStatus,
} from './lib/repositories/job-run.repository';
export type {
  ClaimOptions,
  FailOptions,
  FailOutcome,
  LeaseStatus,
  LeaseStatusCounts,
} from './lib/repositories/lease-queue';
export {
  OutboxRepository,
  type NewOutboxMessage,
  type OutboxKind,
  type OutboxMessage,
} from './lib/repositories/outbox.repository';
export { DEFAULT_RETRY_POLICY, fullJitterDelayMs, type RetryPolicy } from './lib/repositories/retry-policy';
export { WorkItemRepository, type NewWorkItem, type WorkItem } from './lib/repositories/work-item.repository';

export type {
  ArchivedDocument,
  ArchivedVersion,
  ArchivePutResult,
  ArchiveSink,
  ArchiveVerification,
} from './lib/archive/archive-sink';
export { assertConversationId } from './lib/archive/conversation-id';
export { DatabaseArchiveSink } from './lib/archive/database-archive-sink';
export {
  ARCHIVE_FORMAT,
  FileSystemArchiveSink,
  type FileSystemArchiveSinkOptions,
} from './lib/archive/filesystem-archive-sink';

export {
  ReviewSessionRepository,
  type NewReviewSession,
  type ReviewSession,
} from './lib/repositories/review-session.repository';
export {
  QaSnapshotRepository,
  type NewQaSnapshot,
  type StoredQaSnapshot,
  type StoredQaSnapshotInfo,
} from './lib/repositories/qa-snapshot.repository';
