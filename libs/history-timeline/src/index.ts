export {
  HistorySync,
  type HistorySource,
  type HistorySyncOptions,
  type SyncManyOptions,
  type SyncOptions,
  type SyncResult,
} from './lib/history-sync.service';
export { HistorySyncError, HistorySyncErrorCode, SyncFailure, isSyncFailure } from './lib/history-sync.error';
export {
  timelineMedia,
  type SenderRole,
  type SyncMetadata,
  type Timeline,
  type TimelineAttachment,
  type TimelineConversation,
  type TimelineFilter,
  type TimelineMessage,
  type TimelineParticipant,
  type TimelineReceipt,
  type TimelineWrapup,
} from './lib/timeline.model';
export { isoUtc, type Instant } from './lib/instant';
export { roleOfPurpose, senderRoleOf } from './lib/normalize/sender-role';
export { presignedUrlExpiry } from './lib/normalize/timeline-message.mapper';
export {
  DEFAULT_BOUNDARY_TOLERANCE_MS,
  DEFAULT_GAP_THRESHOLD_MS,
  assessIntegrity,
  type DuplicateFinding,
  type DuplicateProviderMessageId,
  type IntegrityInput,
  type IntegrityOptions,
  type IntegrityReport,
  type MissingMessage,
  type OutOfOrderPair,
  type OutsideConversation,
  type RepeatedMessageId,
  type TimelineGap,
} from './lib/integrity/integrity-report';
export {
  DEFAULT_DELIVERED_WITHIN_MS,
  DEFAULT_READ_WITHIN_MS,
  assessReceiptSla,
  nearestRankPercentile,
  type DeliveryOutcome,
  type LatencySummary,
  type MessageSla,
  type ReceiptSlaOptions,
  type ReceiptSlaReport,
  type SlaBreach,
  type SlaBreachKind,
} from './lib/sla/receipt-sla';
export {
  LEGAL_TRANSITIONS,
  PARTICIPANT_STATES,
  ParticipantStateMachine,
  isLegalTransition,
  isParticipantState,
  type ApplyResult,
  type ConversationSnapshot,
  type ParticipantSnapshot,
  type ParticipantStateMachineOptions,
  type ParticipantStateName,
  type ParticipantStatus,
  type ParticipantTransition,
  type TransitionKind,
  type TransitionViolation,
  type ViolationCode,
} from './lib/participants/participant-state-machine';
export { participantStateHistory } from './lib/participants/participant-history';
export {
  integritySummary,
  renderTranscriptJson,
  renderTranscriptMarkdown,
  renderTranscriptText,
  type TranscriptAttachment,
  type TranscriptMessage,
  type TranscriptOptions,
  type TranscriptSource,
} from './lib/render/transcript.renderer';
export { escapeMarkdown, neutralizeControls } from './lib/render/untrusted-text';
export {
  ARCHIVE_RECORD_TYPE,
  ARCHIVE_SCHEMA_VERSION,
  archiveContentHash,
  parseArchiveRecord,
  serializeArchiveRecord,
  toArchiveRecord,
  transcriptSourceOfArchive,
  verifyArchiveRecord,
  type ArchiveContent,
  type ArchiveRecord,
  type ArchiveRecordOptions,
  type ArchiveRedaction,
  type ArchivedMedia,
  type ArchivedMediaLocation,
  type ArchivedMessage,
} from './lib/archive/archive-record';
export { ArchiveRecordError, ArchiveRecordErrorCode } from './lib/archive/archive-record.error';
export { canonicalJson, sha256OfCanonicalJson } from './lib/archive/canonical-json';
export { REDACTED_VALUE, type RedactionOptions } from './lib/archive/redaction';
export { ARCHIVE_RECORD_JSON_SCHEMA } from './lib/archive/archive-record.schema';
export { mapConcurrent } from './lib/sync/concurrent-map';
