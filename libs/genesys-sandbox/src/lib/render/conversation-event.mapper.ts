import { isoString } from '../clock/sandbox-clock';
import { ConversationRecord, MessageRecord, ParticipantRecord } from '../data/conversation-record';
import type { WorldCatalog } from '../data/world-catalog';
import { attachmentUrl } from './message-data.mapper';

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : isoString(ms);
}

/** A topic UriReference `{id, name}`, or nothing when there is no id. */
function reference(id: string | undefined, name: string | undefined): { id: string; name?: string } | undefined {
  return id === undefined ? undefined : { id, name };
}

function wrapup(p: ParticipantRecord): Record<string, unknown> | undefined {
  return p.wrapup ? { code: p.wrapup.code, notes: p.wrapup.notes, durationSeconds: p.wrapup.durationSeconds, endTime: iso(p.wrapup.endTime) } : undefined;
}

function participantMessages(apiBaseUrl: string, conversation: ConversationRecord, p: ParticipantRecord): Array<{ record: MessageRecord; media: unknown[] }> {
  const byId = new Map<string, MessageRecord>(conversation.messages.map((m) => [m.id, m]));
  return p.messageIds
    .map((id) => byId.get(id))
    .filter((m): m is MessageRecord => m !== undefined)
    .map((record) => ({
      record,
      media: record.attachments.map((a) => ({
        id: a.id,
        name: a.filename,
        url: attachmentUrl(apiBaseUrl, conversation.id, a),
        mediaType: a.mime,
        contentLengthBytes: a.contentSizeBytes,
      })),
    }));
}

/**
 * The eventBody of the conversation message topics (`v2.routing.queues.{id}.conversations.messages`,
 * `v2.users.{id}.conversations.messages`): a snapshot of the whole conversation, participants
 * with their states and message references, and no message text (fetch bodies by id, §3).
 * Shape of SDK v262 `QueueConversationMessageEventTopicMessageConversation` /
 * `ConversationMessageEventTopicMessageConversation`: the queue and the agent are nested
 * UriReferences `queue: {id, name}`, `user: {id, name}`, and a message is `message: {id}`.
 */
export function renderMessageConversationEvent(apiBaseUrl: string, catalog: WorldCatalog, conversation: ConversationRecord): Record<string, unknown> {
  return {
    id: conversation.id,
    participants: conversation.participants.map((p) => ({
      id: p.id,
      name: p.name,
      address: p.address,
      startTime: iso(p.startTime),
      connectedTime: iso(p.connectedTime),
      endTime: iso(p.endTime),
      purpose: p.purpose,
      state: p.state,
      initialState: p.purpose === 'agent' ? 'alerting' : 'connected',
      direction: conversation.originatingDirection,
      disconnectType: p.disconnectType,
      held: p.held,
      wrapupRequired: p.wrapupRequired,
      user: reference(p.userId, catalog.agents.find((a) => a.id === p.userId)?.name),
      queue: reference(p.queueId, catalog.queues.find((q) => q.id === p.queueId)?.name),
      attributes: p.attributes,
      wrapupTimeoutMs: p.wrapupTimeoutMs,
      wrapup: wrapup(p),
      messages: participantMessages(apiBaseUrl, conversation, p).map(({ record, media }) => ({
        message: { id: record.id },
        messageTime: isoString(record.timestamp),
        messageStatus: record.status,
        media,
      })),
      type: conversation.kind,
    })),
    otherMediaUris: [],
  };
}

/**
 * The eventBody of the all-media conversation topics (`v2.routing.queues.{id}.conversations`,
 * `v2.users.{id}.conversations`): SDK v262 `ConversationEventTopicConversation`. Unlike the
 * `.messages` topics, a participant names its queue and agent flat (`queueId`, `userId`) and
 * lists its message communications under `messages[]`, each with its own
 * `messages[{messageId, messageTime, messageStatus}]`.
 */
export function renderConversationEvent(apiBaseUrl: string, conversation: ConversationRecord): Record<string, unknown> {
  return {
    id: conversation.id,
    participants: conversation.participants.map((p) => {
      const isCustomer = p.purpose === 'customer';
      return {
        id: p.id,
        connectedTime: iso(p.connectedTime),
        endTime: iso(p.endTime),
        userId: p.userId,
        name: p.name,
        queueId: p.queueId,
        purpose: p.purpose,
        address: p.address,
        wrapupRequired: p.wrapupRequired,
        wrapupTimeoutMs: p.wrapupTimeoutMs,
        wrapup: wrapup(p),
        attributes: p.attributes,
        messages: [
          {
            id: p.communicationId,
            state: p.state,
            initialState: p.purpose === 'agent' ? 'alerting' : 'connected',
            direction: conversation.originatingDirection,
            held: p.held,
            disconnectType: p.disconnectType,
            connectedTime: iso(p.connectedTime),
            disconnectedTime: iso(p.endTime),
            toAddress: { addressNormalized: isCustomer ? conversation.orgAddress : conversation.customer.id },
            fromAddress: { addressNormalized: isCustomer ? conversation.customer.id : conversation.orgAddress },
            messages: participantMessages(apiBaseUrl, conversation, p).map(({ record, media }) => ({
              messageId: record.id,
              messageTime: isoString(record.timestamp),
              messageStatus: record.status,
              media,
            })),
            type: conversation.kind,
          },
        ],
      };
    }),
  };
}
