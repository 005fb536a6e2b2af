import { isoString } from '../clock/sandbox-clock';
import { ConversationRecord, MessageRecord, ParticipantRecord } from '../data/conversation-record';
import { WorldCatalog } from '../data/world-catalog';
import { renderMessageDetails } from './message-data.mapper';

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : isoString(ms);
}

function messageDetailsFor(apiBaseUrl: string, conversation: ConversationRecord, participant: ParticipantRecord): unknown[] {
  const byId = new Map<string, MessageRecord>(conversation.messages.map((m) => [m.id, m]));
  return participant.messageIds.map((id) => renderMessageDetails(apiBaseUrl, conversation, byId.get(id)!));
}

function participantDirection(conversation: ConversationRecord): 'inbound' | 'outbound' {
  return conversation.originatingDirection;
}

function renderWrapup(p: ParticipantRecord): Record<string, unknown> | undefined {
  if (!p.wrapup) return undefined;
  return {
    code: p.wrapup.code,
    name: p.wrapup.name,
    notes: p.wrapup.notes,
    durationSeconds: p.wrapup.durationSeconds,
    endTime: iso(p.wrapup.endTime),
  };
}

function address(value: string): Record<string, string> {
  return { addressNormalized: value, addressRaw: value, addressDisplayable: value };
}

/** MessageConversation: GET /api/v2/conversations/messages/{conversationId}. */
export function renderMessageConversation(
  apiBaseUrl: string,
  catalog: WorldCatalog,
  conversation: ConversationRecord,
): Record<string, unknown> {
  const customerAddress = conversation.customer.id;
  return {
    id: conversation.id,
    participants: conversation.participants.map((p) => {
      const isCustomer = p.purpose === 'customer';
      return {
        id: p.id,
        name: p.name,
        address: p.address,
        startTime: iso(p.startTime),
        startAlertingTime: iso(p.startAlertingTime),
        connectedTime: iso(p.connectedTime),
        endTime: iso(p.endTime),
        purpose: p.purpose,
        state: p.state,
        direction: participantDirection(conversation),
        disconnectType: p.disconnectType,
        held: p.held,
        wrapupRequired: p.wrapupRequired,
        wrapupTimeoutMs: p.wrapupTimeoutMs,
        wrapupSkipped: p.wrapupSkipped,
        wrapup: renderWrapup(p),
        user: p.userId ? { id: p.userId, selfUri: `/api/v2/users/${p.userId}` } : undefined,
        queue: p.queueId ? { id: p.queueId, selfUri: `/api/v2/routing/queues/${p.queueId}` } : undefined,
        attributes: p.attributes,
        toAddress: address(isCustomer ? conversation.orgAddress : customerAddress),
        fromAddress: address(isCustomer ? customerAddress : conversation.orgAddress),
        type: conversation.kind,
        messages: messageDetailsFor(apiBaseUrl, conversation, p),
      };
    }),
    otherMediaUris: [],
    recentTransfers: [],
    divisions: renderDivisions(catalog, conversation),
    selfUri: `/api/v2/conversations/messages/${conversation.id}`,
  };
}

function renderDivisions(catalog: WorldCatalog, conversation: ConversationRecord): unknown[] {
  const division = catalog.divisions.find((d) => d.id === conversation.divisionId);
  return [
    {
      division: { id: conversation.divisionId, name: division?.name, selfUri: `/api/v2/authorization/divisions/${conversation.divisionId}` },
      entities: [{ id: conversation.queueId, selfUri: `/api/v2/routing/queues/${conversation.queueId}` }],
    },
  ];
}

/** Conversation: GET /api/v2/conversations/{conversationId} (all media; here only messages). */
export function renderConversation(apiBaseUrl: string, catalog: WorldCatalog, conversation: ConversationRecord): Record<string, unknown> {
  const queueName = (id?: string) => catalog.queues.find((q) => q.id === id)?.name;
  const customer = conversation.participants.find((p) => p.purpose === 'customer');
  return {
    id: conversation.id,
    startTime: iso(conversation.startTime),
    endTime: iso(conversation.endTime),
    address: customer?.address,
    participants: conversation.participants.map((p) => ({
      id: p.id,
      startTime: iso(p.startTime),
      endTime: iso(p.endTime),
      connectedTime: iso(p.connectedTime),
      name: p.name,
      userUri: p.userId ? `/api/v2/users/${p.userId}` : undefined,
      userId: p.userId,
      queueId: p.queueId,
      queueName: queueName(p.queueId),
      purpose: p.purpose,
      participantType: p.purpose === 'customer' ? 'External' : 'Internal',
      address: p.address,
      wrapupRequired: p.wrapupRequired,
      wrapupTimeoutMs: p.wrapupTimeoutMs,
      wrapupSkipped: p.wrapupSkipped,
      wrapup: renderWrapup(p),
      attributes: p.attributes,
      calls: [],
      callbacks: [],
      chats: [],
      cobrowsesessions: [],
      emails: [],
      messages: [
        {
          id: p.communicationId,
          state: p.state,
          initialState: p.purpose === 'agent' ? 'alerting' : 'connected',
          held: p.held,
          direction: participantDirection(conversation),
          type: conversation.kind,
          connectedTime: iso(p.connectedTime),
          disconnectedTime: iso(p.endTime),
          disconnectType: p.disconnectType,
          toAddress: address(p.purpose === 'customer' ? conversation.orgAddress : conversation.customer.id),
          fromAddress: address(p.purpose === 'customer' ? conversation.customer.id : conversation.orgAddress),
          messages: messageDetailsFor(apiBaseUrl, conversation, p),
        },
      ],
      screenshares: [],
      socialExpressions: [],
      videos: [],
    })),
    recordingState: 'none',
    state: conversation.endTime === undefined ? 'connected' : 'disconnected',
    divisions: renderDivisions(catalog, conversation),
    selfUri: `/api/v2/conversations/${conversation.id}`,
  };
}
