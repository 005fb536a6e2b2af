/**
 * The sandbox's internal model of a message conversation: one shape for generated and
 * mutated conversations, rendered into the Genesys JSON shapes by the mappers. Times are
 * epoch milliseconds here and ISO-8601 strings on the wire.
 */

export type MessengerKind = 'webmessaging' | 'open' | 'sms';

export const MESSENGER_KINDS: readonly MessengerKind[] = ['webmessaging', 'open', 'sms'];

export type ParticipantPurpose = 'customer' | 'acd' | 'agent';

/** MessageMediaParticipant.state values the sandbox produces. */
export type ParticipantState = 'alerting' | 'connected' | 'disconnected' | 'terminated';

/** MessageData.status / MessageDetails.messageStatus. */
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

export type AttachmentMediaType = 'Image' | 'Video' | 'Audio' | 'File' | 'Link';

export interface AttachmentRecord {
  id: string;
  mediaType: AttachmentMediaType;
  mime: string;
  filename: string;
  contentSizeBytes: number;
  /** Lower-case hex SHA-256 of the bytes served at the attachment URL. */
  sha256: string;
  /** Where the bytes come from: generated from the seed, uploaded to the sandbox, or a partner URL. */
  source: 'generated' | 'uploaded' | 'external';
  /** For `external` attachments (inbound Open Messaging): the partner's URL. */
  externalUrl?: string;
}

export type ReceiptStatus = 'Sent' | 'Delivered' | 'Read' | 'Failed' | 'Published' | 'Removed';

export interface ReceiptRecord {
  status: ReceiptStatus;
  time: number;
  isFinalReceipt: boolean;
  reasons?: Array<{ code: string; message: string }>;
}

export interface MessageRecord {
  id: string;
  providerMessageId: string;
  timestamp: number;
  direction: 'inbound' | 'outbound';
  /** The participant whose message list carries this message (the sender's side). */
  participantId: string;
  text?: string;
  attachments: AttachmentRecord[];
  status: MessageStatus;
  receipts: ReceiptRecord[];
  /** Agent that sent an outbound message, if any. */
  createdByUserId?: string;
  /** 'Human' for agents and customers, 'Bot' for automated senders. */
  originatingEntity: 'Human' | 'Bot';
  /** Set on the redelivered copy of a message (integrity-test anomaly). */
  duplicateOf?: string;
}

export interface WrapupRecord {
  code: string;
  name: string;
  notes?: string;
  durationSeconds?: number;
  endTime?: number;
}

export interface ParticipantRecord {
  id: string;
  purpose: ParticipantPurpose;
  name: string;
  /** The message communication id (Conversation.participants[].messages[].id). */
  communicationId: string;
  address: string;
  userId?: string;
  queueId?: string;
  startTime: number;
  startAlertingTime?: number;
  connectedTime?: number;
  endTime?: number;
  state: ParticipantState;
  disconnectType?: 'client' | 'peer' | 'transfer' | 'endpoint' | 'system' | 'error';
  held: boolean;
  wrapupRequired: boolean;
  wrapupTimeoutMs?: number;
  wrapupSkipped?: boolean;
  wrapup?: WrapupRecord;
  attributes: Record<string, string>;
  /** messageIds in list order; may repeat an id (integrity-test anomaly). */
  messageIds: string[];
}

export interface CustomerIdentity {
  id: string;
  idType: 'Email' | 'Phone' | 'Opaque';
  firstName: string;
  lastName: string;
  nickname: string;
}

export interface ConversationRecord {
  id: string;
  /** Position in the generated index, or -1 for a conversation created at runtime. */
  index: number;
  kind: MessengerKind;
  startTime: number;
  /** Absent while the conversation is still active. */
  endTime?: number;
  /** Who started it: the customer (inbound) or the organisation (agentless, outbound). */
  originatingDirection: 'inbound' | 'outbound';
  divisionId: string;
  queueId: string;
  /** Web messaging deployment id, open messaging integration id, or the org SMS number. */
  channelId: string;
  customer: CustomerIdentity;
  /** The organisation-side address messages are exchanged with. */
  orgAddress: string;
  participants: ParticipantRecord[];
  /** Every message of the conversation, in the order it was generated or added. */
  messages: MessageRecord[];
}

export type AnomalyKind = 'out-of-order' | 'duplicate-provider-message-id' | 'repeated-message-id';

export interface ConversationAnomaly {
  conversationId: string;
  kind: AnomalyKind;
  /** The messages involved, e.g. [original, duplicate] or the swapped pair in list order. */
  messageIds: string[];
  providerMessageId?: string;
}
