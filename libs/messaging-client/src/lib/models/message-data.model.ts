import type { Direction, MessageStatus } from './conversation.model';

/** `attachment` of a normalized message's content item. */
export interface NormalizedAttachment {
  id?: string;
  mediaType?: 'Image' | 'Video' | 'Audio' | 'File' | 'Link';
  url?: string;
  mime?: string;
  filename?: string;
  sha256?: string;
  contentSizeBytes?: number;
  text?: string;
  [field: string]: unknown;
}

export interface NormalizedContent {
  contentType?: 'Attachment' | 'Text' | 'QuickReply' | 'ButtonResponse' | 'Card' | 'Carousel' | 'Location' | string;
  attachment?: NormalizedAttachment;
  [field: string]: unknown;
}

export interface NormalizedChannelParty {
  id?: string;
  idType?: string;
  nickname?: string;
  firstName?: string;
  lastName?: string;
  image?: string;
  email?: string;
  [field: string]: unknown;
}

export interface NormalizedChannel {
  id?: string;
  platform?: string;
  type?: string;
  messageId?: string;
  to?: NormalizedChannelParty;
  from?: NormalizedChannelParty;
  time?: string;
  metadata?: { customAttributes?: Record<string, string>; [field: string]: unknown };
  [field: string]: unknown;
}

export type NormalizedMessageType = 'Text' | 'Structured' | 'Receipt' | 'Event' | 'Message' | 'Unknown';
export type ReceiptStatus = 'Sent' | 'Delivered' | 'Read' | 'Failed' | 'Published' | 'Removed';

export interface ReceiptReason {
  code?: string;
  message?: string;
  [field: string]: unknown;
}

/** `ConversationNormalizedMessage`: the channel-independent form of a message or receipt. */
export interface ConversationNormalizedMessage {
  id?: string;
  channel?: NormalizedChannel;
  type?: NormalizedMessageType;
  text?: string;
  content?: NormalizedContent[];
  events?: Array<Record<string, unknown>>;
  /** Receipts only. */
  status?: ReceiptStatus;
  reasons?: ReceiptReason[];
  originatingEntity?: 'Human' | 'Bot';
  isFinalReceipt?: boolean;
  direction?: 'Inbound' | 'Outbound';
  metadata?: Record<string, unknown>;
  /** Set on the inbound open message response when `prefetchConversationId=true`. */
  conversationId?: string;
  [field: string]: unknown;
}

/** Deprecated (≤ v259) `MessageData.media[]` entry, still read as a fallback. */
export interface LegacyMessageMedia {
  id?: string;
  name?: string;
  url?: string;
  mediaType?: string;
  contentLengthBytes?: number;
  [field: string]: unknown;
}

/** A message body as the bulk and single-message endpoints return it. */
export interface MessageData {
  id: string;
  name?: string;
  providerMessageId?: string;
  timestamp: string;
  fromAddress?: string;
  toAddress?: string;
  direction?: Direction;
  messengerType?: 'sms' | 'facebook' | 'twitter' | 'whatsapp' | 'webmessaging' | 'instagram' | 'open' | 'apple' | string;
  status: MessageStatus;
  normalizedMessage?: ConversationNormalizedMessage;
  normalizedReceipts?: ConversationNormalizedMessage[];
  createdBy?: { id: string; [field: string]: unknown };
  conversationId?: string;
  selfUri?: string;
  /** Deprecated up to v259, removed in v262: read through `messageText()` only. */
  textBody?: string;
  /** Deprecated up to v259, removed in v262: read through `messageAttachments()` only. */
  media?: LegacyMessageMedia[];
  [field: string]: unknown;
}

/** `POST …/messages/bulk` response. */
export interface TextMessageListing {
  entities: MessageData[];
  [field: string]: unknown;
}

/** `GET …/communications/{commId}/messages/media/{mediaId}`. */
export interface MessageMediaInfo {
  id: string;
  name?: string;
  url?: string;
  mediaType?: string;
  contentLengthBytes?: number;
  uploadUrl?: string;
  status?: string;
  conversationId?: string;
  communicationId?: string;
  selfUri?: string;
  [field: string]: unknown;
}
