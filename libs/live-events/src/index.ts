export {
  LIVE_EVENT_TYPES,
  matchesFilter,
  type ConversationEndedEvent,
  type GapBackfilledEvent,
  type LiveEvent,
  type LiveEventFilter,
  type LiveEventOrigin,
  type LiveEventType,
  type LiveMessage,
  type LiveMessageAttachment,
  type MessageEvent,
  type ParticipantHoldEvent,
  type ParticipantJoinedEvent,
  type ParticipantRef,
  type ParticipantStateChangedEvent,
  type ParticipantWrapupEvent,
  type ReceiptReceivedEvent,
  type ReceiptSlaBreachedEvent,
  type StreamChannelEvent,
} from './lib/events/live-event.model';
export { LiveEventHub, type SubscribeOptions } from './lib/events/live-event-hub';
export { LiveEventsError, LiveEventsErrorCode } from './lib/live-events.error';
export { ConversationTracker, type TrackedMessage } from './lib/processing/conversation-tracker';
export { LiveEventProcessor, type LiveEventProcessorOptions, type LiveEventSink } from './lib/processing/live-event-processor';
export { LiveEvents, type FollowRequest, type LiveEventsCreateOptions, type LiveEventsOptions } from './lib/live-events.service';
export { LiveEventsCheckpoint } from './lib/live-events-checkpoint';
export { DEFAULT_CRM_EVENT_TYPES, crmRecordMapper, type CrmRecord, type CrmRecordMapper } from './lib/crm/crm-record';
export { CrmOutboxSink, crmOutboxKey, type CrmOutboxSinkOptions } from './lib/crm/crm-outbox.sink';
export { CrmSyncJob, type CrmEndpoint, type CrmSyncJobOptions, type CrmSyncReport } from './lib/crm/crm-sync.job';
export {
  QA_SNAPSHOT_KIND,
  QA_SNAPSHOT_SCHEMA_VERSION,
  durationStats,
  type DurationStats,
  type QaMetrics,
  type QaSnapshot,
  type QaSnapshotContent,
  type QueueQaMetrics,
  type SlaBreachCounts,
} from './lib/qa/qa-snapshot.model';
export { diffQaSnapshots, type MetricChange, type MetricChanges, type QaSnapshotDiff } from './lib/qa/qa-snapshot.diff';
export { QaSnapshotJob, type QaSnapshotJobOptions, type QaSnapshotRun } from './lib/qa/qa-snapshot.job';
