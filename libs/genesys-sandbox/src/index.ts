export { startSandbox } from './lib/start-sandbox';
export type { RunningSandbox } from './lib/start-sandbox';
export {
  checkIntegration,
  DEFAULT_BLOCKED_EXTENSIONS,
  DEFAULT_GUEST_FILE_TYPES,
  resolveSandboxOptions,
  SANDBOX_LIMITS,
  SandboxOptionsError,
} from './lib/sandbox-options';
export type {
  NotificationsOptions,
  OpenIntegrationOptions,
  SandboxOAuthClient,
  SandboxOptions,
  WebhookDeliveryOptions,
  WebMessagingOptions,
} from './lib/sandbox-options';
export { ManualClock, shiftedSystemClock, systemClock } from './lib/clock/sandbox-clock';
export type { SandboxClock } from './lib/clock/sandbox-clock';
export { SandboxTimers } from './lib/clock/sandbox-timers';
export { FAULT_PROFILES, FAULT_PROFILE_NAMES, FaultConfigError, parseFaultSpec, resolveFaultSettings } from './lib/faults/fault-profiles';
export type { FaultConfig, FaultProfileName, FaultSettings } from './lib/faults/fault-profiles';
export { SandboxStats } from './lib/stats/sandbox-stats';
export type { SandboxStatsSnapshot, SocketStats, WebhookStats } from './lib/stats/sandbox-stats';
export { SandboxTruth } from './lib/truth/sandbox-truth';
export type { TruthConversation, TruthConversationSummary, TruthParticipant, TruthRange } from './lib/truth/sandbox-truth';
export { SandboxWorld } from './lib/data/sandbox-world';
export type { ConversationChange } from './lib/data/sandbox-world';
export type { AnomalyKind, ConversationAnomaly, ConversationRecord, MessageRecord, MessengerKind } from './lib/data/conversation-record';
export type { WorldCatalog } from './lib/data/world-catalog';
export { SandboxApiError } from './lib/errors/api-error';
export type { ErrorBody } from './lib/errors/api-error';
export { Router } from './lib/http/router';
export type { RouteDefinition, RouteHandler, RouteScope } from './lib/http/router';
export { RequestContext } from './lib/http/request-context';
export type { UpgradeHandler } from './lib/http/sandbox-server';
export type { SandboxPlugin, SandboxPluginHost } from './lib/sandbox-plugin';
export type { SandboxServices } from './lib/sandbox-services';
export { BULK_MESSAGE_IDS_MAX } from './lib/conversations/conversation.routes';
export { maxTextLength } from './lib/conversations/messaging.routes';
export { DETAILS_QUERY_PAGE_SIZE_DEFAULT, DETAILS_QUERY_PAGE_SIZE_MAX } from './lib/analytics/details-query.service';
export { JOB_RESULTS_PAGE_SIZE_DEFAULT, JOB_RESULTS_PAGE_SIZE_MAX } from './lib/analytics/details-jobs.service';
export { GuestErrorCode } from './lib/webmessaging/guest-frames';
export type { GuestServerFrame } from './lib/webmessaging/guest-frames';
export type { GuestSessionSummary } from './lib/webmessaging/guest-session';
export { GUEST_HISTORY_PAGE_SIZE_DEFAULT, GUEST_HISTORY_PAGE_SIZE_MAX } from './lib/webmessaging/web-messaging.routes';
export { AVAILABLE_TOPICS, MAX_TOPIC_LENGTH, MAX_TOPICS_PER_CHANNEL } from './lib/notifications/notification-topics';
export type { ChannelSummary } from './lib/notifications/notification-channels.service';
export { openMessagingSignature } from './lib/open-messaging/webhook-dispatcher';
export type { WebhookAttempt, WebhookDelivery, WebhookDispatcher } from './lib/open-messaging/webhook-dispatcher';
export type { OpenIntegrationSummary } from './lib/open-messaging/open-integrations.registry';
export { SandboxWorkload } from './lib/workload/sandbox-workload';
export type { WorkloadLog, WorkloadOperation } from './lib/workload/sandbox-workload';
export { SANDBOX_RECORD_DIR_VARIABLE, TrafficRecorder } from './lib/record/traffic-recorder';
export type { RecordedTraffic } from './lib/record/traffic-recorder';
