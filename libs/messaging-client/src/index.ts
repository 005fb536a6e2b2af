export type {
  Conversation,
  Direction,
  EntityRef,
  ErrorInfo,
  MessageConversation,
  MessageDetails,
  MessageMediaParticipant,
  MessageStatus,
  MessengerChannelType,
  ParticipantState,
  Wrapup,
} from './lib/models/conversation.model';
export type {
  ConversationNormalizedMessage,
  LegacyMessageMedia,
  MessageData,
  MessageMediaInfo,
  NormalizedAttachment,
  NormalizedChannel,
  NormalizedChannelParty,
  NormalizedContent,
  NormalizedMessageType,
  ReceiptReason,
  ReceiptStatus,
  TextMessageListing,
} from './lib/models/message-data.model';
export type {
  AdditionalMessage,
  AgentlessMessengerType,
  MediaParticipantRequest,
  MessageMediaUploadResponse,
  MessagingTemplate,
  MessagingTemplateParameter,
  SendAgentlessOutboundMessageRequest,
  SendAgentlessOutboundMessageResponse,
  UploadMediaRequest,
} from './lib/models/sending.model';
export type { OpenInboundMessage, OpenInboundReceipt, OpenMessagingFrom, OpenMessagingIdType } from './lib/models/open-messaging.model';
export type {
  AllowedMedia,
  CloseSessionRequest,
  ConfigureSessionRequest,
  ConnectionClosedEvent,
  EchoRequest,
  GuestAction,
  GuestOutgoingMessage,
  GuestRequest,
  GuestServerClass,
  GuestServerFrame,
  JwtResponse,
  OnAttachmentRequest,
  OnMessageRequest,
  PresignedUrlResponse,
  SessionResponse,
  StructuredMessage,
  StructuredMessageAttachment,
  TooManyRequestsErrorMessage,
  UploadFailureEvent,
  UploadSuccessEvent,
  WebMessagingMessage,
  WebMessagingMessageEntityList,
} from './lib/models/web-messaging.model';
export { conversationMessageIds, messageAttachments, messageText } from './lib/models/message-normalizer';

export {
  MAX_BULK_IDS,
  MessagingClient,
  type AgentSendOptions,
  type BulkOptions,
  type BulkResult,
  type CallOptions,
  type ConversationMessages,
  type MediaFile,
  type MediaUploadOptions,
  type MessagingClientOptions,
  type MessagingTransport,
  type OpenInboundOptions,
} from './lib/rest/messaging-client.service';
export { fetchUploadHttp, MediaUploadError, type UploadHttp } from './lib/upload/upload-http';
export {
  RoutingQueueDirectory,
  type QueueEntityListing,
  type RoutingQueue,
  type RoutingQueueDirectoryOptions,
  type RoutingTransport,
} from './lib/routing/routing-queues';

export {
  OPEN_MESSAGING_SIGNATURE_HEADER,
  signOpenMessagingBody,
  verifyOpenMessagingSignature,
} from './lib/open-messaging/open-messaging-signature';

export {
  ECHO_COOLDOWN_MS,
  GuestSession,
  type GuestAttachmentFile,
  type GuestCallOptions,
  type GuestLimits,
  type GuestMessage,
  type GuestReconnectOptions,
  type GuestSessionEvents,
  type GuestSessionOptions,
  type GuestSessionState,
} from './lib/guest/guest-session';
export { GuestSessionFactory } from './lib/guest/guest-session.factory';
export { guestApiBaseUrl, guestConnectUrl, guestWebSocketUrl } from './lib/guest/guest-url';
export { MessagePacer, type MessagePacerOptions } from './lib/guest/message-pacer';
export { WebMessagingError, WebMessagingErrorCode } from './lib/guest/web-messaging.error';
export { type HistoryFetch } from './lib/guest/guest-history';

export { MessageValidationError, ViolationCode, type MessageViolation } from './lib/validation/message-validation.error';
export {
  MessageValidator,
  extensionOf,
  guestLimitsFromSession,
  type AttachmentInput,
  type AttachmentRules,
  type GuestMessageInput,
  type GuestSessionLimits,
  type MessageValidatorOptions,
} from './lib/validation/message-validator.service';
export {
  ContentPolicy,
  DEFAULT_BLOCKED_PATTERNS,
  type ContentPolicyOptions,
  type ContentPolicyRule,
} from './lib/validation/content-policy';
export { DEFAULT_TEXT_LIMIT, SMS_TEXT_LIMIT, codePointLength, textLimitFor } from './lib/validation/text-limits';
export {
  AgentMessageDto,
  AgentlessMessageDto,
  AttachmentDto,
  GuestMessageDto,
  MessagingTemplateDto,
  OpenInboundMessageDto,
  OpenInboundReceiptDto,
} from './lib/validation/outbound-message.dto';

export {
  InMemoryDeliveryMetrics,
  composeDeliveryMetrics,
  noopDeliveryMetrics,
  type DeliveryContext,
  type DeliveryFailedEvent,
  type DeliveryMetricsListener,
  type DeliveryRejectedEvent,
  type DeliverySentEvent,
  type MessagingOperation,
  type OperationStats,
} from './lib/metrics/delivery-metrics';

export type {
  ConversationEventBody,
  ConversationEventMessage,
  ConversationEventParticipant,
  ConversationNotification,
  ConversationSnapshot,
  NotificationChannel,
  NotificationFrame,
  SnapshotMessage,
  SnapshotParticipant,
  TopicSubscriptionResult,
} from './lib/notifications/notification.model';
export {
  eventBodyConversationId,
  snapshotEnded,
  snapshotFromEventBody,
  snapshotFromMessageConversation,
  snapshotParties,
} from './lib/notifications/conversation-snapshot';
export {
  MAX_CHANNELS,
  MAX_TOPICS_PER_CHANNEL,
  MAX_TOPIC_LENGTH,
  assertTopicId,
  parseConversationTopic,
  planTopicPlacement,
  queueConversationsTopic,
  userConversationsTopic,
  type ConversationTopic,
} from './lib/notifications/notification-topics';
export { NotificationsApi, type NotificationsTransport } from './lib/notifications/notifications-api';
export { NotificationsError, NotificationsErrorCode } from './lib/notifications/notifications.error';
export { SnapshotMerger, type SnapshotMergerOptions } from './lib/notifications/snapshot-merger';
export { ChannelConnectError, defaultWebSocketFactory, type WebSocketFactory } from './lib/notifications/channel-link';
export {
  AnalyticsGapFinder,
  type AnalyticsGapFinderOptions,
  type GapConversationFinder,
  type GapWindow,
} from './lib/notifications/gap-finder';
export {
  NotificationChannelManager,
  type BackfillReport,
  type ChannelEvent,
  type ChannelEventType,
  type ChannelManagerEvents,
  type ChannelManagerOptions,
  type ChannelStatus,
  type GapEvent,
  type ManagerFailure,
  type SubscribeResult,
} from './lib/notifications/channel-manager.service';
