import { isoString } from '../clock/sandbox-clock';
import { ConversationRecord, MessageRecord } from '../data/conversation-record';
import { attachmentUrl } from './message-data.mapper';

/**
 * The body Genesys POSTs to an Open Messaging integration's outboundNotificationWebhookUrl
 * for an outbound message (the "Outbound Open NormalizedMessage Format"): the same shape
 * whether an agent or the agentless API sent it.
 */
export function renderOpenOutboundMessage(apiBaseUrl: string, conversation: ConversationRecord, message: MessageRecord): Record<string, unknown> {
  const sender = conversation.participants.find((p) => p.id === message.participantId);
  const [firstName, ...rest] = (sender?.name ?? '').split(' ');
  const body: Record<string, unknown> = {
    id: message.id,
    channel: {
      id: conversation.channelId,
      platform: 'Open',
      type: 'Private',
      to: { id: conversation.customer.id, idType: conversation.customer.idType },
      from: {
        nickname: sender?.name ?? '',
        id: conversation.channelId,
        idType: 'Opaque',
        firstName: firstName || undefined,
        lastName: rest.join(' ') || undefined,
      },
      time: isoString(message.timestamp),
      messageId: message.providerMessageId,
    },
    type: 'Text',
    text: message.text,
    originatingEntity: message.originatingEntity,
    direction: 'Outbound',
    conversationId: conversation.id,
  };
  if (message.attachments.length > 0) {
    body.content = message.attachments.map((a) => ({
      contentType: 'Attachment',
      attachment: {
        id: a.id,
        mediaType: a.mediaType,
        url: attachmentUrl(apiBaseUrl, conversation.id, a),
        mime: a.mime,
        filename: a.filename,
        sha256: a.sha256,
      },
    }));
  }
  return body;
}
