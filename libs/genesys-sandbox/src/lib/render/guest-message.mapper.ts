import { isoString } from '../clock/sandbox-clock';
import { ConversationRecord, MessageRecord } from '../data/conversation-record';
import { attachmentUrl } from './message-data.mapper';

/**
 * A conversation message as the web messaging guest sees it: the StructuredMessage of the
 * socket and the WebMessagingMessage of `GET /api/v2/webmessaging/messages` share this
 * shape. The id is the conversation's message id, so a guest's echo can be found again in
 * `GET /api/v2/conversations/messages/{id}` and the bulk endpoint.
 */
export function renderGuestMessage(apiBaseUrl: string, conversation: ConversationRecord, message: MessageRecord): Record<string, unknown> {
  const inbound = message.direction === 'inbound';
  const channel: Record<string, unknown> = {
    time: isoString(message.timestamp),
    messageId: message.providerMessageId,
    type: 'Private',
  };
  if (!inbound) {
    const sender = conversation.participants.find((p) => p.id === message.participantId);
    const [firstName, ...rest] = (sender?.name ?? '').split(' ');
    channel.from = { nickname: sender?.name ?? '', firstName: firstName || undefined, lastName: rest.join(' ') || undefined };
  }
  const body: Record<string, unknown> = {
    id: message.id,
    channel,
    type: 'Text',
    text: message.text ?? '',
    direction: inbound ? 'Inbound' : 'Outbound',
  };
  if (message.attachments.length > 0) {
    body.content = message.attachments.map((a) => ({
      contentType: 'Attachment',
      attachment: {
        id: a.id,
        url: attachmentUrl(apiBaseUrl, conversation.id, a),
        filename: a.filename,
        fileSize: a.contentSizeBytes,
        mediaType: a.mediaType,
        mime: a.mime,
        sha256: a.sha256,
      },
    }));
  } else {
    body.content = [];
  }
  if (!inbound) body.originatingEntity = message.originatingEntity;
  return body;
}
