import { isoString } from '../clock/sandbox-clock';
import { AttachmentRecord, ConversationRecord, MessageRecord, MessengerKind } from '../data/conversation-record';

/** Where attachment bytes are served; absolute, like the presigned URLs Genesys hands out. */
export function attachmentUrl(apiBaseUrl: string, conversationId: string, attachment: AttachmentRecord): string {
  if (attachment.externalUrl) return attachment.externalUrl;
  return `${apiBaseUrl}/media/${conversationId}/${attachment.id}/${encodeURIComponent(attachment.filename)}`;
}

const PLATFORM: Record<MessengerKind, string> = { webmessaging: 'WebMessaging', open: 'Open', sms: 'Sms' };

export function messageSelfUri(conversationId: string, messageId: string): string {
  return `/api/v2/conversations/messages/${conversationId}/messages/${messageId}`;
}

/** MessageData (Platform API v262: normalizedMessage instead of textBody/media). */
export function renderMessageData(apiBaseUrl: string, conversation: ConversationRecord, message: MessageRecord): Record<string, unknown> {
  const inbound = message.direction === 'inbound';
  const customerAddress = conversation.customer.id;
  const orgAddress = conversation.orgAddress;
  const body: Record<string, unknown> = {
    id: message.id,
    providerMessageId: message.providerMessageId,
    timestamp: isoString(message.timestamp),
    fromAddress: inbound ? customerAddress : orgAddress,
    toAddress: inbound ? orgAddress : customerAddress,
    direction: message.direction,
    messengerType: conversation.kind,
    status: message.status,
    normalizedMessage: renderNormalizedMessage(apiBaseUrl, conversation, message),
    normalizedReceipts: message.receipts.map((receipt) => {
      const rendered: Record<string, unknown> = {
        id: message.id,
        channel: {
          id: conversation.channelId,
          platform: PLATFORM[conversation.kind],
          messageId: message.providerMessageId,
          time: isoString(receipt.time),
        },
        type: 'Receipt',
        status: receipt.status,
        isFinalReceipt: receipt.isFinalReceipt,
        direction: 'Inbound',
      };
      if (receipt.reasons) rendered.reasons = receipt.reasons;
      return rendered;
    }),
    conversationId: conversation.id,
    selfUri: messageSelfUri(conversation.id, message.id),
  };
  if (message.createdByUserId) {
    // a User, whose model requires `version`
    body.createdBy = { id: message.createdByUserId, version: 1, selfUri: `/api/v2/users/${message.createdByUserId}` };
  }
  return body;
}

export function renderNormalizedMessage(
  apiBaseUrl: string,
  conversation: ConversationRecord,
  message: MessageRecord,
): Record<string, unknown> {
  const inbound = message.direction === 'inbound';
  const customer = {
    id: conversation.customer.id,
    idType: conversation.customer.idType,
    nickname: conversation.customer.nickname,
    firstName: conversation.customer.firstName || undefined,
    lastName: conversation.customer.lastName || undefined,
  };
  const org = { id: conversation.orgAddress };
  const normalized: Record<string, unknown> = {
    id: message.id,
    channel: {
      id: conversation.channelId,
      platform: PLATFORM[conversation.kind],
      messageId: message.providerMessageId,
      to: inbound ? org : customer,
      from: inbound ? customer : org,
      time: isoString(message.timestamp),
    },
    type: 'Text',
  };
  if (message.text !== undefined) normalized.text = message.text;
  if (message.attachments.length > 0) {
    normalized.content = message.attachments.map((a) => ({
      contentType: 'Attachment',
      attachment: {
        id: a.id,
        mediaType: a.mediaType,
        url: attachmentUrl(apiBaseUrl, conversation.id, a),
        mime: a.mime,
        filename: a.filename,
        sha256: a.sha256,
        contentSizeBytes: a.contentSizeBytes,
      },
    }));
  }
  if (!inbound) normalized.originatingEntity = message.originatingEntity;
  normalized.direction = inbound ? 'Inbound' : 'Outbound';
  return normalized;
}

/** MessageDetails, the per-participant list entries of MessageConversation / Conversation. */
export function renderMessageDetails(
  apiBaseUrl: string,
  conversation: ConversationRecord,
  message: MessageRecord,
): Record<string, unknown> {
  const details: Record<string, unknown> = {
    messageId: message.id,
    messageURI: `${apiBaseUrl}${messageSelfUri(conversation.id, message.id)}`,
    messageStatus: message.status,
    messageTime: isoString(message.timestamp),
    media: message.attachments.map((a) => ({
      id: a.id,
      name: a.filename,
      url: attachmentUrl(apiBaseUrl, conversation.id, a),
      mediaType: a.mime,
      contentLengthBytes: a.contentSizeBytes,
    })),
    stickers: [],
  };
  if (conversation.kind === 'sms') details.messageSegmentCount = Math.max(1, Math.ceil((message.text ?? '').length / 160));
  return details;
}
