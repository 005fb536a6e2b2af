/**
 * Typed domain events derived from the Notifications API's conversation snapshots
 * (genesys-api.md §5), message bodies read by id (§3) and the receipt SLA. Plain JSON-safe
 * data, every instant ISO 8601 UTC. `id` is deterministic (the same fact gets the same id
 * after a restart or a backfill), so it doubles as an idempotency key.
 */

export const LIVE_EVENT_TYPES = [
  'participant.joined',
  'participant.state.changed',
  'participant.held',
  'participant.resumed',
  'participant.wrapup',
  'message.received',
  'message.sent',
  'receipt.received',
  'receipt.sla.breached',
  'conversation.ended',
  'gap.backfilled',
  'stream.channel',
] as const;

export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/** Where the fact came from: a live snapshot, a REST re-read after a gap, or the stream itself. */
export type LiveEventOrigin = 'live' | 'backfill' | 'system';

interface LiveEventBase<T extends LiveEventType> {
  /** Deterministic: `{conversationId}:{what}`; the same fact always gets the same id. */
  id: string;
  type: T;
  /** Absent for stream events (gap.backfilled, stream.channel). */
  conversationId?: string;
  /** Queues the conversation has passed through (for filtering). */
  queueIds: string[];
  /** When it happened, as precisely as Genesys says (else when it was observed). */
  occurredAt: string;
  /** When this process learnt of it. */
  observedAt: string;
  origin: LiveEventOrigin;
}

export interface ParticipantRef {
  participantId: string;
  purpose?: string;
  name?: string;
  userId?: string;
  queueId?: string;
}

export interface ParticipantJoinedEvent extends LiveEventBase<'participant.joined'> {
  participant: ParticipantRef & { state: string };
}

export interface ParticipantStateChangedEvent extends LiveEventBase<'participant.state.changed'> {
  participant: ParticipantRef;
  from: string;
  to: string;
  /** Set when the move is not one a participant can make (reported, not refused: Genesys is the authority). */
  violation?: { code: string; message: string };
}

export interface ParticipantHoldEvent extends LiveEventBase<'participant.held' | 'participant.resumed'> {
  participant: ParticipantRef;
}

export interface ParticipantWrapupEvent extends LiveEventBase<'participant.wrapup'> {
  participant: ParticipantRef;
  wrapupCode: string;
  wrapupName?: string;
}

export interface LiveMessageAttachment {
  id?: string;
  mediaType?: string;
  mime?: string;
  filename?: string;
  sizeBytes?: number;
  /** Presigned and expiring. */
  url?: string;
}

export interface LiveMessage {
  id: string;
  direction: 'inbound' | 'outbound';
  /** ISO 8601 UTC. */
  timestamp: string;
  /** The participant whose list carries it (the sender's side). */
  participantId: string;
  senderPurpose?: string;
  /** `normalizedMessage.type`: Text, Structured, Event, … */
  messageType?: string;
  messengerType?: string;
  text?: string;
  attachments: LiveMessageAttachment[];
  status?: string;
  /** The body could not be read (deleted, or the read failed): only the id and time are known. */
  bodyMissing?: boolean;
  /** Bodies are not read (`readBodies: false`): only the id, time and status are known. */
  bodySkipped?: boolean;
}

export interface MessageEvent extends LiveEventBase<'message.received' | 'message.sent'> {
  message: LiveMessage;
}

export interface ReceiptReceivedEvent extends LiveEventBase<'receipt.received'> {
  messageId: string;
  /** Delivered, Read, Failed, … (`normalizedReceipts[].status`), or derived from `status` when no receipt exists. */
  status: string;
  /** `receipt`: a normalized receipt; `status`: only the message status said so. */
  source: 'receipt' | 'status';
  reasons?: Array<{ code?: string; message?: string }>;
}

export interface ReceiptSlaBreachedEvent extends LiveEventBase<'receipt.sla.breached'> {
  messageId: string;
  kind: 'delivered-late' | 'delivery-missing' | 'read-late';
  latencyMs: number;
  thresholdMs: number;
}

export interface ConversationEndedEvent extends LiveEventBase<'conversation.ended'> {
  participants: Array<ParticipantRef & { state: string }>;
}

export interface GapBackfilledEvent extends LiveEventBase<'gap.backfilled'> {
  from: string;
  to: string;
  channelId?: string;
  conversations: number;
  failed: number;
}

export interface StreamChannelEvent extends LiveEventBase<'stream.channel'> {
  change: 'opened' | 'dropped' | 'reconnected' | 'replaced' | 'rolled-over' | 'closing-notice' | 'unsubscribed' | 'closed';
  channelId: string;
  previousChannelId?: string;
  reason?: string;
}

export type LiveEvent =
  | ParticipantJoinedEvent
  | ParticipantStateChangedEvent
  | ParticipantHoldEvent
  | ParticipantWrapupEvent
  | MessageEvent
  | ReceiptReceivedEvent
  | ReceiptSlaBreachedEvent
  | ConversationEndedEvent
  | GapBackfilledEvent
  | StreamChannelEvent;

/** What a subscriber wants: any of these queues / conversations / types (each list optional). */
export interface LiveEventFilter {
  queueIds?: readonly string[];
  conversationIds?: readonly string[];
  types?: readonly LiveEventType[];
}

/**
 * Conversation events match a queue or conversation filter by their conversation; stream
 * events (no conversation) match only when the filter names their type or no queue or
 * conversation is asked for.
 */
export function matchesFilter(event: LiveEvent, filter: LiveEventFilter = {}): boolean {
  if (filter.types && filter.types.length > 0 && !filter.types.includes(event.type)) return false;
  const byConversation = filter.conversationIds && filter.conversationIds.length > 0;
  const byQueue = filter.queueIds && filter.queueIds.length > 0;
  if (!byConversation && !byQueue) return true;
  if (event.conversationId === undefined) return Boolean(filter.types?.includes(event.type));
  if (byConversation && filter.conversationIds?.includes(event.conversationId)) return true;
  if (byQueue && event.queueIds.some((q) => filter.queueIds?.includes(q))) return true;
  return false;
}
