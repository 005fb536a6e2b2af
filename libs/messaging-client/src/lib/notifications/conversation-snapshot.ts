import type { MessageConversation, MessageMediaParticipant } from '../models/conversation.model';
import type {
  ConversationEventBody,
  ConversationEventParticipant,
  ConversationSnapshot,
  SnapshotMessage,
  SnapshotParticipant,
} from './notification.model';

/** The conversation id of a conversation eventBody, or undefined when it is not one. */
export function eventBodyConversationId(body: unknown): string | undefined {
  const id = (body as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * A `.conversations.messages` eventBody (`participants[].{queue:{id}, user:{id},
 * messages[{message:{id}, messageStatus, messageTime}]}`) → snapshot.
 */
export function snapshotFromEventBody(body: ConversationEventBody): ConversationSnapshot {
  return {
    conversationId: body.id,
    participants: (Array.isArray(body.participants) ? body.participants : [])
      .filter((p): p is ConversationEventParticipant => typeof p?.id === 'string')
      .map((p) =>
        participant(p, referenceId(p.queue), referenceId(p.user), (p.messages ?? []).map((m) => ({ id: m?.message?.id, status: m?.messageStatus, time: m?.messageTime }))),
      ),
  };
}

/** A REST MessageConversation (`participants[].messages[{messageId, messageStatus, messageTime}]`) → snapshot. */
export function snapshotFromMessageConversation(conversation: MessageConversation): ConversationSnapshot {
  return {
    conversationId: conversation.id,
    participants: (conversation.participants ?? [])
      .filter((p): p is MessageMediaParticipant => typeof p?.id === 'string')
      .map((p) =>
        participant(
          p as unknown as ConversationEventParticipant,
          p.queue?.id,
          p.user?.id,
          (p.messages ?? []).map((m) => ({ id: m?.messageId, status: m?.messageStatus, time: m?.messageTime })),
        ),
      ),
  };
}

/** The id of a UriReference `{id, name}`, when it is one. */
function referenceId(reference: { id?: unknown } | undefined | null): string | undefined {
  const id = reference?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function participant(
  p: ConversationEventParticipant,
  queueId: string | undefined,
  userId: string | undefined,
  messages: Array<{ id?: string; status?: string; time?: string }>,
): SnapshotParticipant {
  return dropUndefined({
    id: p.id,
    purpose: p.purpose,
    name: p.name,
    state: p.state,
    initialState: p.initialState,
    held: p.held,
    wrapupRequired: p.wrapupRequired,
    wrapup: p.wrapup,
    queueId,
    userId,
    connectedTime: p.connectedTime,
    endTime: p.endTime,
    disconnectType: p.disconnectType,
    direction: p.direction,
    type: p.type,
    messages: messages
      .filter((m): m is SnapshotMessage => typeof m.id === 'string' && m.id !== '')
      .map((m) => dropUndefined({ id: m.id, status: m.status, time: m.time })),
  });
}

/** Queues and users a snapshot involves, for matching it to topics. */
export function snapshotParties(snapshot: ConversationSnapshot): { queueIds: string[]; userIds: string[] } {
  const queueIds = new Set<string>();
  const userIds = new Set<string>();
  for (const p of snapshot.participants) {
    if (p.queueId) queueIds.add(p.queueId);
    if (p.userId) userIds.add(p.userId);
  }
  return { queueIds: [...queueIds], userIds: [...userIds] };
}

const ENDED_STATES = new Set(['disconnected', 'terminated']);

/** Every participant has left: nothing more will happen in this conversation. */
export function snapshotEnded(snapshot: ConversationSnapshot): boolean {
  return snapshot.participants.length > 0 && snapshot.participants.every((p) => ENDED_STATES.has(p.state ?? ''));
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}
