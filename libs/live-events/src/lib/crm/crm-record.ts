import type { LiveEvent, LiveEventType } from '../events/live-event.model';

/** One record for the CRM: a domain event with a key the CRM deduplicates on. */
export interface CrmRecord {
  /** Stable across retries, replays and restarts (the event's deterministic id). */
  idempotencyKey: string;
  type: string;
  conversationId?: string;
  /** ISO 8601 UTC. */
  occurredAt: string;
  data: unknown;
}

/** Maps an event to a CRM record, or undefined to leave it out. */
export type CrmRecordMapper = (event: LiveEvent) => CrmRecord | undefined;

/** What a CRM usually wants: messages, participant moves, wrap-ups, SLA breaches, ends. */
export const DEFAULT_CRM_EVENT_TYPES: readonly LiveEventType[] = [
  'message.received',
  'message.sent',
  'participant.joined',
  'participant.state.changed',
  'participant.wrapup',
  'receipt.received',
  'receipt.sla.breached',
  'conversation.ended',
];

/** The record of an event of one of `types` (default `DEFAULT_CRM_EVENT_TYPES`): the whole event as data. */
export function crmRecordMapper(types: readonly LiveEventType[] = DEFAULT_CRM_EVENT_TYPES): CrmRecordMapper {
  const wanted = new Set<string>(types);
  return (event) =>
    wanted.has(event.type)
      ? { idempotencyKey: event.id, type: event.type, conversationId: event.conversationId, occurredAt: event.occurredAt, data: event }
      : undefined;
}
