import type { MessageConversation, MessageDetails } from './conversation.model';
import type { MessageData, NormalizedAttachment } from './message-data.model';

/**
 * The text of a message: `normalizedMessage.text`, falling back to the deprecated
 * `textBody` that API versions up to v259 still send (v262 removed it).
 */
export function messageText(message: Pick<MessageData, 'normalizedMessage' | 'textBody'>): string | undefined {
  return message.normalizedMessage?.text ?? message.textBody ?? undefined;
}

/**
 * The attachments of a message: `normalizedMessage.content[].attachment`, falling back to
 * the deprecated `media[]` only when the normalized form carries none.
 */
export function messageAttachments(message: Pick<MessageData, 'normalizedMessage' | 'media'>): NormalizedAttachment[] {
  const normalized = (message.normalizedMessage?.content ?? [])
    .map((item) => item.attachment)
    .filter((attachment): attachment is NormalizedAttachment => attachment !== undefined && attachment !== null);
  if (normalized.length > 0 || !message.media) return normalized;
  return message.media.map((media) => ({
    id: media.id,
    url: media.url,
    mime: media.mediaType,
    filename: media.name,
    contentSizeBytes: media.contentLengthBytes,
  }));
}

/**
 * Every message id of a conversation (`participants[*].messages[*].messageId`), once each,
 * ordered by `messageTime` (ties and undated ids keep the order Genesys listed them in).
 * Step 2 of the sync algorithm: these are the ids to bulk-fetch.
 */
export function conversationMessageIds(conversation: Pick<MessageConversation, 'participants'>): string[] {
  const seen = new Set<string>();
  const entries: Array<{ details: MessageDetails; order: number; time: number }> = [];
  for (const participant of conversation.participants ?? []) {
    for (const details of participant.messages ?? []) {
      if (!details?.messageId || seen.has(details.messageId)) continue;
      seen.add(details.messageId);
      const time = details.messageTime ? Date.parse(details.messageTime) : Number.NaN;
      entries.push({ details, order: entries.length, time: Number.isFinite(time) ? time : Number.POSITIVE_INFINITY });
    }
  }
  entries.sort((a, b) => (a.time === b.time ? a.order - b.order : a.time < b.time ? -1 : 1));
  return entries.map((entry) => entry.details.messageId);
}
