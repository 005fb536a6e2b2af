export { ArchiveError, ArchiveErrorCode } from './lib/archive.error';
export {
  DEFAULT_ARCHIVE_RETRY,
  resolveArchiveJobOptions,
  retryDelayMs,
  type ArchiveJobOptions,
  type ArchiveMatch,
  type ArchiveRetryOptions,
  type ArchiveTransportInfo,
  type EnvelopeSource,
  type ResolvedArchiveJobOptions,
} from './lib/archive-job.options';
export { ArchiveJob, type ArchiveJobStatus, type ArchiveRunOptions, type BackfillNotice, type BackfillOptions } from './lib/archive-job.service';
export type { ArchiveObserver, ConversationEvent, ConversationOutcome } from './lib/archive-observer';
export type {
  ArchiveRunKind,
  ArchiveRunRole,
  ArchiveRunStatus,
  ArchiveRunSummary,
  ArchiveWindowReport,
} from './lib/archive-run-summary';
export { describeLeaseHolder, RunLease, type LeaseTakeover, type RunLeaseState } from './lib/lease/run-lease';
export { localProcessGone, processOwnerId, type OwnerGoneProbe } from './lib/lease/owner-liveness';
export { realIntervals, type IntervalTimers } from './lib/pipeline/heartbeat';
export { archiveDocument, type ArchivedRecordDocument } from './lib/pipeline/conversation-archiver';
export { catalogEntryOf, rebuildArchiveCatalog, type CatalogRebuildReport, type CatalogSource } from './lib/catalog/archive-catalog';
export { buildArchiveRecord } from './lib/pipeline/archive-record.builder';
export { envelopeHistorySource, envelopeOf, type ConversationEnvelope } from './lib/pipeline/conversation-envelope';
export {
  checkpointNames,
  describeWindow,
  nextScheduledWindow,
  parseArchiveWindow,
  queueNames,
  type ArchiveWindow,
  type WindowState,
} from './lib/window/archive-window';
export { expiredVersions, validateRetentionPolicy, type RetentionPolicy } from './lib/retention/retention-policy';
export {
  RetentionSweep,
  fileSystemRemover,
  type ArchiveVersionRemover,
  type RetentionReport,
  type RetentionSweepOptions,
} from './lib/retention/retention-sweep.service';
