import { isoString } from '../clock/sandbox-clock';
import { ConversationRecord, MessageRecord } from '../data/conversation-record';
import { attachmentUrl } from './message-data.mapper';

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : isoString(ms);
}

/**
 * The eventBody of the conversation message topics (`v2.routing.queues.{id}.conversations.messages`,
 * `v2.users.{id}.conversations.messages`): a snapshot of the whole conversation, participants
 * with their states and message references, and no message text (fetch bodies by id, §3).
 */
export function renderConversationEvent(apiBaseUrl: string, conversation: ConversationRecord): Record<string, unknown> {
  const byId = new Map<string, MessageRecord>(conversation.messages.map((m) => [m.id, m]));
  return {
    id: conversation.id,
    participants: conversation.participants.map((p) => {
      const isCustomer = p.purpose === 'customer';
      return {
        id: p.id,
        name: p.name,
        address: p.address,
        purpose: p.purpose,
        state: p.state,
        initialState: p.purpose === 'agent' ? 'alerting' : 'connected',
        held: p.held,
        wrapupRequired: p.wrapupRequired,
        wrapupTimeoutMs: p.wrapupTimeoutMs,
        wrapup: p.wrapup ? { code: p.wrapup.code, notes: p.wrapup.notes, durationSeconds: p.wrapup.durationSeconds, endTime: iso(p.wrapup.endTime) } : undefined,
        queueId: p.queueId,
        userId: p.userId,
        connectedTime: iso(p.connectedTime),
        endTime: iso(p.endTime),
        disconnectType: p.disconnectType,
        direction: conversation.originatingDirection,
        type: conversation.kind,
        toAddress: { addressNormalized: isCustomer ? conversation.orgAddress : conversation.customer.id },
        fromAddress: { addressNormalized: isCustomer ? conversation.customer.id : conversation.orgAddress },
        messages: p.messageIds
          .map((id) => byId.get(id))
          .filter((m): m is MessageRecord => m !== undefined)
          .map((m) => ({
            message: { id: m.id, selfUri: `/api/v2/conversations/messages/${conversation.id}/messages/${m.id}` },
            messageTime: isoString(m.timestamp),
            messageStatus: m.status,
            media: m.attachments.map((a) => ({
              id: a.id,
              name: a.filename,
              url: attachmentUrl(apiBaseUrl, conversation.id, a),
              mediaType: a.mime,
              contentLengthBytes: a.contentSizeBytes,
            })),
          })),
      };
    }),
    otherMediaUris: [],
  };
}
