/**
 * Conversation models exactly as Genesys Cloud names their fields (genesys-api.md §3,
 * checked against the v262 SDK). Readers are tolerant: every object keeps the fields we
 * do not model (`[field: string]: unknown`), so a newer API version never loses data on
 * its way through gcm.
 */

export interface EntityRef {
  id: string;
  name?: string;
  selfUri?: string;
  [field: string]: unknown;
}

export type ParticipantState =
  | 'alerting'
  | 'dialing'
  | 'contacting'
  | 'offering'
  | 'connected'
  | 'disconnected'
  | 'terminated'
  | 'converting'
  | 'uploading'
  | 'transmitting'
  | 'parked'
  | 'none';

export type MessengerChannelType =
  | 'apple'
  | 'facebook'
  | 'instagram'
  | 'kakao'
  | 'line'
  | 'open'
  | 'sms'
  | 'telegram'
  | 'twitter'
  | 'webmessaging'
  | 'whatsapp'
  | 'unknown';

export type MessageStatus =
  | 'queued'
  | 'sent'
  | 'failed'
  | 'received'
  | 'delivery-success'
  | 'delivery-failed'
  | 'read'
  | 'removed'
  | 'published';

export type Direction = 'inbound' | 'outbound';

export interface Wrapup {
  code?: string;
  name?: string;
  notes?: string;
  tags?: string[];
  durationSeconds?: number;
  endTime?: string;
  [field: string]: unknown;
}

export interface ErrorInfo {
  code?: string;
  message?: string;
  messageWithParams?: string;
  [field: string]: unknown;
}

/** One entry of `participants[].messages[]`: the message id and its delivery state. */
export interface MessageDetails {
  messageId: string;
  messageURI?: string;
  messageStatus?: MessageStatus;
  messageSegmentCount?: number;
  messageTime?: string;
  media?: Array<Record<string, unknown>>;
  stickers?: Array<Record<string, unknown>>;
  messageMetadata?: Record<string, unknown>;
  socialVisibility?: string;
  errorInfo?: ErrorInfo;
  [field: string]: unknown;
}

export interface MessageMediaParticipant {
  id: string;
  name?: string;
  address?: string;
  purpose?: string;
  direction?: Direction;
  user?: EntityRef;
  queue?: EntityRef;
  team?: EntityRef;
  attributes?: Record<string, string>;
  startTime?: string;
  startAlertingTime?: string;
  connectedTime?: string;
  endTime?: string;
  state?: ParticipantState;
  disconnectType?: string;
  held?: boolean;
  wrapupRequired?: boolean;
  wrapupTimeoutMs?: number;
  wrapup?: Wrapup;
  errorInfo?: ErrorInfo;
  externalContact?: EntityRef;
  toAddress?: { addressNormalized?: string; addressRaw?: string; name?: string; [field: string]: unknown };
  fromAddress?: { addressNormalized?: string; addressRaw?: string; name?: string; [field: string]: unknown };
  type?: MessengerChannelType;
  messages?: MessageDetails[];
  [field: string]: unknown;
}

/** `GET /api/v2/conversations/messages/{conversationId}`. */
export interface MessageConversation {
  id: string;
  name?: string;
  participants: MessageMediaParticipant[];
  otherMediaUris?: string[];
  recentTransfers?: Array<Record<string, unknown>>;
  utilizationLabelId?: string;
  inactivityTimeout?: string;
  divisions?: Array<Record<string, unknown>>;
  selfUri?: string;
  [field: string]: unknown;
}

/** `GET /api/v2/conversations/{conversationId}`: the media-independent view. */
export interface Conversation {
  id: string;
  name?: string;
  startTime?: string;
  endTime?: string;
  participants: Array<Record<string, unknown> & { id: string; purpose?: string }>;
  recordingState?: string;
  state?: string;
  divisions?: Array<Record<string, unknown>>;
  externalTag?: string;
  selfUri?: string;
  [field: string]: unknown;
}
