import type { NormalizedAttachment, ReceiptReason, ReceiptStatus } from './message-data.model';

export type OpenMessagingIdType = 'Email' | 'Phone' | 'Opaque';

export interface OpenMessagingFrom {
  id: string;
  idType: OpenMessagingIdType;
  nickname?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  image?: string;
}

/** Body of `POST /api/v2/conversations/messages/{integrationId}/inbound/open/message`. */
export interface OpenInboundMessage {
  channel: {
    from: OpenMessagingFrom;
    /** ISO-8601 time the customer sent it. */
    time: string;
    /** The partner's own id for the message (kept by Genesys as providerMessageId). */
    messageId?: string;
  };
  text?: string;
  content?: Array<{ contentType: 'Attachment'; attachment: NormalizedAttachment }>;
  metadata?: Record<string, unknown>;
}

/** Body of `POST …/{integrationId}/inbound/open/receipt`. */
export interface OpenInboundReceipt {
  /** The Genesys id of the outbound message being acknowledged. */
  id: string;
  channel?: { from?: OpenMessagingFrom; time?: string; [field: string]: unknown };
  status: Exclude<ReceiptStatus, 'Read'>;
  reasons?: ReceiptReason[];
  isFinalReceipt?: boolean;
}
