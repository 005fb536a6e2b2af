/**
 * The Timeline: one conversation as it happened, assembled from the Platform API and
 * checked (genesys-api.md §3: conversation → participants' message ids → bulk bodies).
 * Plain data, JSON-safe, every instant an ISO 8601 UTC string.
 */
import type { IntegrityReport } from './integrity/integrity-report';
import type { ParticipantTransition, TransitionViolation } from './participants/participant-state-machine';
import type { ReceiptSlaReport } from './sla/receipt-sla';

/** Who a message came from, from the sending participant's `purpose`. */
export type SenderRole = 'customer' | 'agent' | 'bot' | 'system';

export interface TimelineReceipt {
  /** Sent | Delivered | Read | Failed | Published | Removed. */
  status: string;
  /** When the receipt was produced (ISO 8601 UTC), when Genesys says so. */
  time?: string;
  isFinal?: boolean;
  reasons?: Array<{ code?: string; message?: string }>;
}

export interface TimelineAttachment {
  id: string;
  messageId: string;
  mediaType?: string;
  /** Presigned, expiring: valid for a while after `fetchedAt` only (see `reResolveMedia`). */
  url?: string;
  mime?: string;
  filename?: string;
  sizeBytes?: number;
  /** Lower-case hex SHA-256 of the bytes, when Genesys reports it. */
  sha256?: string;
  /** When this URL was read from Genesys. */
  fetchedAt: string;
  /** When the URL stops working, if the URL itself says so (S3-style `X-Amz-Date` + `X-Amz-Expires`). */
  expiresAt?: string;
}

export interface TimelineMessage {
  id: string;
  providerMessageId?: string;
  timestamp: string;
  direction: 'inbound' | 'outbound';
  /** `normalizedMessage.type`: Text | Structured | Receipt | Event | Message | Unknown. */
  type: string;
  senderRole: SenderRole;
  /** The participant whose message list carries it (the sender's side). */
  participantId?: string;
  /** Genesys user id of the agent who sent an outbound message. */
  userId?: string;
  messengerType?: string;
  text?: string;
  attachments: TimelineAttachment[];
  /** `MessageData.status`: queued | sent | failed | received | delivery-success | delivery-failed | read | removed | published. */
  status?: string;
  receipts: TimelineReceipt[];
}

export interface TimelineWrapup {
  code?: string;
  name?: string;
  notes?: string;
  durationSeconds?: number;
  endTime?: string;
}

export interface TimelineParticipant {
  id: string;
  purpose?: string;
  role: SenderRole;
  name?: string;
  userId?: string;
  queueId?: string;
  address?: string;
  state?: string;
  startTime?: string;
  connectedTime?: string;
  endTime?: string;
  disconnectType?: string;
  wrapupRequired?: boolean;
  wrapup?: TimelineWrapup;
  attributes: Record<string, string>;
  /** How many message ids its list carries (repeats included). */
  listedMessages: number;
  /** Alerting / connected / disconnected / wrap-up, in time order, from its timings. */
  stateHistory: ParticipantTransition[];
  /** Transitions of that history the state machine calls illegal (normally none). */
  stateViolations: TransitionViolation[];
}

export interface TimelineConversation {
  id: string;
  startTime?: string;
  endTime?: string;
  /** connected while ongoing, disconnected once over (GET /api/v2/conversations/{id}). */
  state?: string;
  messengerType?: string;
  divisionIds: string[];
  externalTag?: string;
}

/** Client-side filters (the API has none): time window, retention, message types. */
export interface TimelineFilter {
  from?: string;
  to?: string;
  messageTypes?: string[];
}

export interface SyncMetadata {
  syncedAt: string;
  durationMs: number;
  /** `fetched` from GET /api/v2/conversations/{id}, or `derived` from participant timings when that read was refused. */
  conversationSource: 'fetched' | 'derived';
  /** Distinct ids listed by the participants. */
  listedMessageIds: number;
  /** Bodies the bulk endpoint returned. */
  fetchedMessages: number;
  /** Messages left out by the filter. */
  filteredOut: number;
  filter: TimelineFilter;
  /** Set by `reResolveMedia`. */
  mediaRefreshedAt?: string;
}

export interface Timeline {
  conversationId: string;
  conversation: TimelineConversation;
  participants: TimelineParticipant[];
  /** Timestamp order (then id), one per message: redelivered copies and repeats removed, filters applied. */
  messages: TimelineMessage[];
  /** The copies removed for carrying the providerMessageId of an earlier message (kept for the record). */
  droppedDuplicates: TimelineMessage[];
  integrity: IntegrityReport;
  sla: ReceiptSlaReport;
  sync: SyncMetadata;
}

/** Every attachment of the timeline's messages, in message order. */
export function timelineMedia(timeline: Pick<Timeline, 'messages'>): TimelineAttachment[] {
  return timeline.messages.flatMap((message) => message.attachments);
}
