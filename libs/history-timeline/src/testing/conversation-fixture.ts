import type { Conversation, MessageConversation, MessageData, MessageMediaParticipant, NormalizedAttachment } from '@gcm/messaging-client';

export interface FixtureParticipant {
  id: string;
  purpose: string;
  name?: string;
  userId?: string;
  state?: MessageMediaParticipant['state'];
  startTime?: string;
  startAlertingTime?: string;
  connectedTime?: string;
  endTime?: string;
  wrapupRequired?: boolean;
  wrapup?: MessageMediaParticipant['wrapup'];
  attributes?: Record<string, string>;
}

export interface FixtureMessage {
  id: string;
  /** The participant whose list carries it. */
  participantId: string;
  timestamp: string;
  text?: string;
  direction?: 'inbound' | 'outbound';
  providerMessageId?: string;
  type?: string;
  status?: MessageData['status'];
  attachments?: NormalizedAttachment[];
  receipts?: Array<{ status: string; time: string; isFinal?: boolean }>;
  originatingEntity?: 'Human' | 'Bot';
}

export interface ConversationFixtureInput {
  id: string;
  startTime?: string;
  endTime?: string;
  messengerType?: string;
  participants: FixtureParticipant[];
  messages: FixtureMessage[];
  /** Overrides a participant's message list (ids in list order; repeats and unknown ids allowed). */
  lists?: Record<string, string[]>;
  /** Listed ids whose bodies the bulk endpoint does not return. */
  withoutBodies?: string[];
}

/** One conversation as the three reads of a sync return it. */
export interface ConversationFixture {
  messageConversation: MessageConversation;
  conversation: Conversation;
  messages: MessageData[];
}

/**
 * Builds the Genesys shapes (MessageConversation, Conversation, MessageData) of a small
 * conversation from a compact description, for unit tests of anything that syncs history.
 * Lists default to each participant's messages in the given order.
 */
export function conversationFixture(input: ConversationFixtureInput): ConversationFixture {
  const byParticipant = new Map<string, string[]>();
  for (const m of input.messages) byParticipant.set(m.participantId, [...(byParticipant.get(m.participantId) ?? []), m.id]);
  const times = new Map(input.messages.map((m) => [m.id, m.timestamp]));
  const type = (input.messengerType ?? 'webmessaging') as MessageMediaParticipant['type'];
  const purposeOf = new Map(input.participants.map((p) => [p.id, p.purpose]));

  const participants: MessageMediaParticipant[] = input.participants.map((p) => ({
    id: p.id,
    name: p.name,
    purpose: p.purpose,
    state: p.state ?? (p.endTime ? 'disconnected' : 'connected'),
    startTime: p.startTime ?? input.startTime,
    startAlertingTime: p.startAlertingTime,
    connectedTime: p.connectedTime ?? p.startTime ?? input.startTime,
    endTime: p.endTime,
    held: false,
    wrapupRequired: p.wrapupRequired ?? p.purpose === 'agent',
    wrapup: p.wrapup,
    user: p.userId ? { id: p.userId } : undefined,
    attributes: p.attributes ?? {},
    type,
    messages: (input.lists?.[p.id] ?? byParticipant.get(p.id) ?? []).map((messageId) => ({ messageId, messageTime: times.get(messageId) })),
  }));

  const withoutBodies = new Set(input.withoutBodies ?? []);
  const messages: MessageData[] = input.messages
    .filter((m) => !withoutBodies.has(m.id))
    .map((m) => {
      const direction = m.direction ?? (purposeOf.get(m.participantId) === 'customer' ? 'inbound' : 'outbound');
      return {
        id: m.id,
        providerMessageId: m.providerMessageId,
        timestamp: m.timestamp,
        direction,
        messengerType: type,
        status: m.status ?? (direction === 'inbound' ? 'received' : 'sent'),
        normalizedMessage: {
          id: m.id,
          type: (m.type ?? 'Text') as 'Text',
          text: m.text,
          content: m.attachments?.map((attachment) => ({ contentType: 'Attachment', attachment })),
          originatingEntity: direction === 'outbound' ? (m.originatingEntity ?? 'Human') : undefined,
          direction: direction === 'inbound' ? 'Inbound' : 'Outbound',
        },
        normalizedReceipts: (m.receipts ?? []).map((r) => ({
          id: m.id,
          type: 'Receipt' as const,
          status: r.status as 'Delivered',
          isFinalReceipt: r.isFinal ?? r.status === 'Read',
          channel: { time: r.time },
        })),
        conversationId: input.id,
      };
    });

  return {
    messageConversation: { id: input.id, participants, divisions: [{ division: { id: 'division-1' } }] },
    conversation: {
      id: input.id,
      startTime: input.startTime,
      endTime: input.endTime,
      state: input.endTime ? 'disconnected' : 'connected',
      participants: input.participants.map((p) => ({ id: p.id, purpose: p.purpose })),
      divisions: [{ division: { id: 'division-1' } }],
    },
    messages,
  };
}
