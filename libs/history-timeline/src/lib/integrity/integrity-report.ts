import type { MessageConversation } from '@gcm/messaging-client';

/** A listed pair whose list order contradicts its time order. */
export interface OutOfOrderPair {
  participantId: string;
  /** Listed first, yet later in time. */
  first: { messageId: string; position: number; timestamp: string };
  /** Listed right after `first` (repeats skipped), yet earlier in time. */
  second: { messageId: string; position: number; timestamp: string };
}

export interface RepeatedMessageId {
  kind: 'repeated-message-id';
  messageId: string;
  /** Every place the id is listed (participant, position in its list). */
  occurrences: Array<{ participantId: string; position: number }>;
}

export interface DuplicateProviderMessageId {
  kind: 'duplicate-provider-message-id';
  providerMessageId: string;
  /** The earliest message carrying it: the one the timeline keeps. */
  keptMessageId: string;
  /** The later copies (redeliveries), left out of the timeline's messages. */
  duplicateMessageIds: string[];
}

export type DuplicateFinding = RepeatedMessageId | DuplicateProviderMessageId;

export interface MissingMessage {
  messageId: string;
  participantId: string;
  /** `messageTime` of the participant list, when given. */
  listedTime?: string;
}

export interface OutsideConversation {
  messageId: string;
  timestamp: string;
  boundary: 'before-start' | 'after-end';
  boundaryTime: string;
}

export interface TimelineGap {
  afterMessageId: string;
  beforeMessageId: string;
  from: string;
  to: string;
  durationMs: number;
}

/**
 * What makes a timeline untrustworthy. Empty lists and `clean: true` for a conversation
 * the API reported consistently.
 */
export interface IntegrityReport {
  clean: boolean;
  outOfOrder: OutOfOrderPair[];
  duplicates: DuplicateFinding[];
  missing: MissingMessage[];
  outsideConversation: OutsideConversation[];
  gaps: TimelineGap[];
  /** The settings the report was made with. */
  checks: { gapThresholdMs: number | null; boundaryToleranceMs: number };
}

export interface IntegrityOptions {
  /** Silence between two consecutive messages longer than this is a gap. null turns the check off. Default 1 h. */
  gapThresholdMs?: number | null;
  /** How far a message may lie outside the conversation's start/end before it counts (clock skew between services). Default 1 s. */
  boundaryToleranceMs?: number;
}

export const DEFAULT_GAP_THRESHOLD_MS = 60 * 60 * 1000;
export const DEFAULT_BOUNDARY_TOLERANCE_MS = 1000;

export interface IntegrityInput {
  conversation: Pick<MessageConversation, 'participants'>;
  /** Instant (epoch ms) of every message whose body came back, by id. */
  fetched: ReadonlyMap<string, { at: number; providerMessageId?: string }>;
  /** Ids listed but not returned by the bulk endpoint. */
  missingIds: ReadonlySet<string>;
  startMs?: number;
  endMs?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Checks a conversation as Genesys listed it:
 * - ordering: per participant list, each id against the next (first occurrences only, so a
 *   repeat is reported once, as a repeat); the pair is reported as listed;
 * - duplicates: an id listed more than once, and messages sharing a providerMessageId
 *   (the earliest is kept, the rest are redeliveries);
 * - missing: listed ids the bulk endpoint did not return;
 * - messages before the conversation's start or after its end (beyond the tolerance);
 * - gaps: silences longer than the threshold between consecutive kept messages.
 */
export function assessIntegrity(input: IntegrityInput, options: IntegrityOptions = {}): IntegrityReport {
  const gapThresholdMs = options.gapThresholdMs === undefined ? DEFAULT_GAP_THRESHOLD_MS : options.gapThresholdMs;
  const boundaryToleranceMs = options.boundaryToleranceMs ?? DEFAULT_BOUNDARY_TOLERANCE_MS;
  const outOfOrder: OutOfOrderPair[] = [];
  const occurrences = new Map<string, Array<{ participantId: string; position: number }>>();
  const missing: MissingMessage[] = [];
  const missingReported = new Set<string>();

  for (const participant of input.conversation.participants ?? []) {
    const seen = new Set<string>();
    let previous: { messageId: string; position: number; at: number } | undefined;
    (participant.messages ?? []).forEach((details, position) => {
      const messageId = details?.messageId;
      if (!messageId) return;
      const where = occurrences.get(messageId) ?? [];
      where.push({ participantId: participant.id, position });
      occurrences.set(messageId, where);
      if (seen.has(messageId)) return;
      seen.add(messageId);

      if (input.missingIds.has(messageId) && !missingReported.has(messageId)) {
        missingReported.add(messageId);
        const listed = Date.parse(details.messageTime ?? '');
        missing.push(withOptional({ messageId, participantId: participant.id }, 'listedTime', Number.isFinite(listed) ? iso(listed) : undefined));
      }
      const fetchedAt = input.fetched.get(messageId)?.at;
      const listedAt = Date.parse(details.messageTime ?? '');
      const at = fetchedAt ?? (Number.isFinite(listedAt) ? listedAt : Number.NaN);
      if (!Number.isFinite(at)) return;
      if (previous && previous.at > at) {
        outOfOrder.push({
          participantId: participant.id,
          first: { messageId: previous.messageId, position: previous.position, timestamp: iso(previous.at) },
          second: { messageId, position, timestamp: iso(at) },
        });
      }
      previous = { messageId, position, at };
    });
  }

  const order = orderFetched(input.fetched);
  const duplicates: DuplicateFinding[] = [];
  for (const [messageId, where] of occurrences) {
    if (where.length > 1) duplicates.push({ kind: 'repeated-message-id', messageId, occurrences: where });
  }
  for (const [providerMessageId, ids] of order.providerGroups) {
    if (ids.length > 1) duplicates.push({ kind: 'duplicate-provider-message-id', providerMessageId, keptMessageId: ids[0], duplicateMessageIds: ids.slice(1) });
  }

  const kept = order.kept;
  const outsideConversation: OutsideConversation[] = [];
  for (const { id, at } of order.sorted) {
    if (input.startMs !== undefined && at < input.startMs - boundaryToleranceMs) {
      outsideConversation.push({ messageId: id, timestamp: iso(at), boundary: 'before-start', boundaryTime: iso(input.startMs) });
    } else if (input.endMs !== undefined && at > input.endMs + boundaryToleranceMs) {
      outsideConversation.push({ messageId: id, timestamp: iso(at), boundary: 'after-end', boundaryTime: iso(input.endMs) });
    }
  }

  const gaps: TimelineGap[] = [];
  if (gapThresholdMs !== null) {
    for (let k = 1; k < kept.length; k++) {
      const durationMs = kept[k].at - kept[k - 1].at;
      if (durationMs > gapThresholdMs) {
        gaps.push({ afterMessageId: kept[k - 1].id, beforeMessageId: kept[k].id, from: iso(kept[k - 1].at), to: iso(kept[k].at), durationMs });
      }
    }
  }

  return {
    clean: outOfOrder.length + duplicates.length + missing.length + outsideConversation.length + gaps.length === 0,
    outOfOrder,
    duplicates,
    missing,
    outsideConversation,
    gaps,
    checks: { gapThresholdMs, boundaryToleranceMs },
  };
}

/** Time order, then id: the order of a timeline. */
export function compareByTimeThenId(a: { id: string; at: number }, b: { id: string; at: number }): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface FetchedOrder {
  /** Every fetched message, in timeline order. */
  sorted: Array<{ id: string; at: number }>;
  /** The ones a timeline keeps: all but later copies of an earlier providerMessageId. */
  kept: Array<{ id: string; at: number }>;
  /** The later copies, in timeline order. */
  dropped: Array<{ id: string; at: number }>;
  /** Message ids by providerMessageId, in timeline order. */
  providerGroups: Map<string, string[]>;
}

export function orderFetched(fetched: IntegrityInput['fetched']): FetchedOrder {
  const sorted = [...fetched].map(([id, { at }]) => ({ id, at })).sort(compareByTimeThenId);
  const order: FetchedOrder = { sorted, kept: [], dropped: [], providerGroups: new Map() };
  for (const entry of sorted) {
    const provider = fetched.get(entry.id)?.providerMessageId;
    const group = provider ? order.providerGroups.get(provider) : undefined;
    if (provider && group) {
      group.push(entry.id);
      order.dropped.push(entry);
      continue;
    }
    if (provider) order.providerGroups.set(provider, [entry.id]);
    order.kept.push(entry);
  }
  return order;
}

function withOptional<T extends object, K extends string, V>(value: T, key: K, optional: V | undefined): T & Partial<Record<K, V>> {
  return optional === undefined ? value : { ...value, [key]: optional };
}
