/**
 * Notifications API shapes (genesys-api.md §5). The frame envelope and the conversation
 * eventBody fields are only partly documented ([GUESS] in the contract), so every reader
 * here is tolerant: unknown fields are kept, missing ones are optional.
 */

/** `POST /api/v2/notifications/channels` → Channel. */
export interface NotificationChannel {
  id: string;
  /** `wss://streaming.{domain}/channels/{id}`: one socket per channel. */
  connectUri: string;
  /** ISO 8601; channels live about 24 h. */
  expires?: string;
  [field: string]: unknown;
}

/** One entry of the subscriptions answer: every topic is judged on its own. */
export interface TopicSubscriptionResult {
  id: string;
  state: 'Permitted' | 'Rejected';
  rejectionReason?: string;
  missingPermissions?: string[];
}

/** Anything a channel socket sends: `{topicName, version, eventBody, metadata}`. */
export interface NotificationFrame {
  topicName: string;
  version?: string;
  eventBody?: unknown;
  metadata?: { CorrelationId?: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** `participants[].messages[]` of a conversation event: no text, only ids and status. */
export interface ConversationEventMessage {
  message?: { id?: string; selfUri?: string; [field: string]: unknown };
  messageTime?: string;
  messageStatus?: string;
  media?: unknown[];
  [field: string]: unknown;
}

export interface ConversationEventParticipant {
  id: string;
  name?: string;
  address?: string;
  purpose?: string;
  state?: string;
  initialState?: string;
  held?: boolean;
  wrapupRequired?: boolean;
  wrapupTimeoutMs?: number;
  wrapup?: { code?: string; name?: string; [field: string]: unknown } | null;
  /**
   * The queue and the agent as UriReferences `{id, name}`: the `.messages` topics nest them
   * (SDK v262 `ConversationMessageEventTopicMessageMediaParticipant`,
   * `QueueConversationMessageEventTopicMessageMediaParticipant`). Only the all-media
   * `.conversations` topics carry flat `queueId`/`userId`, and gcm does not subscribe to those.
   */
  queue?: { id?: string; name?: string; [field: string]: unknown };
  user?: { id?: string; name?: string; [field: string]: unknown };
  connectedTime?: string;
  endTime?: string;
  disconnectType?: string;
  direction?: string;
  type?: string;
  messages?: ConversationEventMessage[];
  [field: string]: unknown;
}

/** The eventBody of `v2.{routing.queues|users}.{id}.conversations[.messages]`: a whole-conversation snapshot. */
export interface ConversationEventBody {
  id: string;
  participants?: ConversationEventParticipant[];
  [field: string]: unknown;
}

/** A message as a snapshot lists it. */
export interface SnapshotMessage {
  id: string;
  status?: string;
  /** ISO 8601, when the snapshot says. */
  time?: string;
}

/**
 * One participant of a conversation snapshot, the same whether it came from the socket
 * (eventBody) or from a REST re-read (MessageConversation): what the state machine and the
 * event processor need.
 */
export interface SnapshotParticipant {
  id: string;
  purpose?: string;
  name?: string;
  state?: string;
  initialState?: string;
  held?: boolean;
  wrapupRequired?: boolean;
  wrapup?: { code?: string; name?: string; [field: string]: unknown } | null;
  queueId?: string;
  userId?: string;
  connectedTime?: string;
  endTime?: string;
  disconnectType?: string;
  direction?: string;
  /** The messenger type (`webmessaging`, `open`, `sms`, …). */
  type?: string;
  messages: SnapshotMessage[];
}

export interface ConversationSnapshot {
  conversationId: string;
  participants: SnapshotParticipant[];
}

/**
 * What the channel manager hands on: one conversation snapshot, live from a channel socket
 * or re-read over REST after a gap. Duplicates (overlapping channels during a rollover, the
 * same conversation on a queue and a user topic) are already removed.
 */
export interface ConversationNotification {
  conversationId: string;
  origin: 'live' | 'backfill';
  snapshot: ConversationSnapshot;
  /** The topic it came on (live only). */
  topic?: string;
  /** The channel it came on (live only). */
  channelId?: string;
  /** Epoch ms on the manager's clock. */
  receivedAt: number;
  /** The frame's `metadata.CorrelationId`, when Genesys sends one. */
  correlationId?: string;
}
