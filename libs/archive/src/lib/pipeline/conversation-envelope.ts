import type { HistorySource } from '@gcm/history-timeline';
import type { Conversation } from '@gcm/messaging-client';
import type { ConversationSummary } from '@gcm/search-stream';

/**
 * What the analytics search said about a conversation, kept with its work item: enough to
 * stand in for `GET /api/v2/conversations/{id}` when the record is built.
 */
export interface ConversationEnvelope {
  readonly start: string;
  readonly end?: string;
  readonly divisionIds: readonly string[];
  readonly externalTag?: string;
}

export function envelopeOf(summary: ConversationSummary): ConversationEnvelope {
  return {
    start: summary.conversationStart,
    ...(summary.conversationEnd ? { end: summary.conversationEnd } : {}),
    divisionIds: [...summary.divisionIds],
    ...(summary.externalTag ? { externalTag: summary.externalTag } : {}),
  };
}

export function isEnvelope(value: unknown): value is ConversationEnvelope {
  const envelope = value as Partial<ConversationEnvelope> | null;
  return !!envelope && typeof envelope.start === 'string' && Array.isArray(envelope.divisionIds);
}

/**
 * A HistorySource whose conversation read is answered from the search's analytics row:
 * the record needs only the conversation's bounds, state, divisions and external tag,
 * which the search returned already, so each conversation costs one GET (participants
 * and message ids) plus its bulk reads instead of two GETs. Genesys reports a
 * conversation as `connected` until it ends and `disconnected` after.
 */
export function envelopeHistorySource(messaging: HistorySource, conversationId: string, envelope: ConversationEnvelope): HistorySource {
  return {
    getMessageConversation: (id, options) => messaging.getMessageConversation(id, options),
    getMessagesBulk: (id, ids, options) => messaging.getMessagesBulk(id, ids, options),
    getConversation: async (id, options) => {
      if (id !== conversationId) return messaging.getConversation(id, options);
      const conversation: Conversation = {
        id,
        participants: [],
        startTime: envelope.start,
        ...(envelope.end ? { endTime: envelope.end } : {}),
        state: envelope.end ? 'disconnected' : 'connected',
        divisions: envelope.divisionIds.map((divisionId) => ({ division: { id: divisionId }, entities: [] })),
        ...(envelope.externalTag ? { externalTag: envelope.externalTag } : {}),
      };
      return conversation;
    },
  };
}
