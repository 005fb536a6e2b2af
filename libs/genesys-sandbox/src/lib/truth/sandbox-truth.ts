import { isoString, toEpochMs } from '../clock/sandbox-clock';
import { IndexFlag } from '../data/conversation-index';
import { ConversationAnomaly, ConversationRecord, MessageRecord, MessengerKind } from '../data/conversation-record';
import { SandboxWorld } from '../data/sandbox-world';
import { WorldCatalog } from '../data/world-catalog';
import { renderMessageData } from '../render/message-data.mapper';
import type { GuestSessionSummary } from '../webmessaging/guest-session';

export interface TruthConversationSummary {
  id: string;
  messengerType: MessengerKind;
  startTime: string;
  endTime?: string;
  queueId: string;
  divisionId: string;
}

export interface TruthParticipant {
  id: string;
  purpose: string;
  name: string;
  userId?: string;
  queueId?: string;
  communicationId: string;
  state: string;
  startTime: string;
  endTime?: string;
  wrapupCode?: string;
  /** messageIds exactly as the API lists them (repeats included). */
  messageIds: string[];
}

export interface TruthConversation extends TruthConversationSummary {
  originatingDirection: 'inbound' | 'outbound';
  channelId: string;
  customer: { id: string; idType: string; nickname: string };
  participants: TruthParticipant[];
  /** Messages after removing redelivered duplicates. */
  canonicalMessageCount: number;
  anomalies: ConversationAnomaly[];
}

export interface TruthRange {
  /** Only conversations that started at or after this instant. */
  from?: number | string | Date;
  /** Only conversations that started before this instant. */
  to?: number | string | Date;
}

/**
 * Ground truth: what the emulated organisation really contains, derived the same lazy way
 * as the API (and including runtime mutations), so tests can compare what a client
 * archived against what exists.
 */
export class SandboxTruth {
  constructor(
    private readonly world: SandboxWorld,
    private readonly apiBaseUrl: () => string,
    private readonly guests: () => GuestSessionSummary[] = () => [],
  ) {}

  /** Web messaging guest sessions (ids, never tokens) and the conversations they produced. */
  guestSessions(): GuestSessionSummary[] {
    return this.guests();
  }

  /** Conversations started by web messaging guests over the socket, oldest first. */
  guestConversationIds(): string[] {
    return this.guests().flatMap((s) => s.conversationIds);
  }

  get catalog(): WorldCatalog {
    return this.world.catalog;
  }

  /** The fixed "now" the generated data is anchored to. */
  get now(): string {
    return isoString(this.world.config.nowMs);
  }

  get conversationCount(): number {
    return this.world.size;
  }

  /** Ids of every conversation, by start time (runtime-created ones last). */
  conversationIds(range: TruthRange = {}): string[] {
    const from = range.from === undefined ? Number.NEGATIVE_INFINITY : toEpochMs(range.from);
    const to = range.to === undefined ? Number.POSITIVE_INFINITY : toEpochMs(range.to);
    const { index } = this.world;
    const ids: string[] = [];
    for (const i of index.startedBetween(from, to)) ids.push(index.ids[i]);
    for (const id of this.world.createdConversationIds()) {
      const start = this.world.skeletonById(id)!.startTime;
      if (start >= from && start < to) ids.push(id);
    }
    return ids;
  }

  summary(id: string): TruthConversationSummary | undefined {
    const record = this.world.skeletonById(id);
    return record && summarize(record);
  }

  conversation(id: string): TruthConversation | undefined {
    const record = this.world.conversation(id);
    if (!record) return undefined;
    return {
      ...summarize(record),
      originatingDirection: record.originatingDirection,
      channelId: record.channelId,
      customer: { id: record.customer.id, idType: record.customer.idType, nickname: record.customer.nickname },
      participants: record.participants.map((p) => ({
        id: p.id,
        purpose: p.purpose,
        name: p.name,
        userId: p.userId,
        queueId: p.queueId,
        communicationId: p.communicationId,
        state: p.state,
        startTime: isoString(p.startTime),
        endTime: p.endTime === undefined ? undefined : isoString(p.endTime),
        wrapupCode: p.wrapup?.code,
        messageIds: [...p.messageIds],
      })),
      canonicalMessageCount: canonicalMessages(record).length,
      anomalies: anomaliesOf(record),
    };
  }

  /**
   * The conversation's messages as the API renders them (MessageData), in timestamp order.
   * Redelivered duplicates are left out unless asked for.
   */
  messages(id: string, options: { includeDuplicates?: boolean } = {}): Array<Record<string, unknown>> | undefined {
    const record = this.world.conversation(id);
    if (!record) return undefined;
    const messages = options.includeDuplicates ? [...record.messages].sort(byTime) : canonicalMessages(record);
    return messages.map((m) => renderMessageData(this.apiBaseUrl(), record, m));
  }

  /** Generated conversations planted with integrity anomalies (a known, seed-dependent set). */
  anomalousConversationIds(): string[] {
    const { index } = this.world;
    const mask = IndexFlag.OutOfOrder | IndexFlag.DuplicateProviderMessageId | IndexFlag.RepeatedMessageId;
    const ids: string[] = [];
    for (let p = 0; p < index.size; p++) {
      const i = index.byStart[p];
      if (index.flagsOf(i) & mask) ids.push(index.ids[i]);
    }
    return ids;
  }

  /** Every anomaly of the planted set, plus any in runtime conversations. */
  *anomalies(): Generator<ConversationAnomaly> {
    for (const id of [...this.anomalousConversationIds(), ...this.world.createdConversationIds()]) {
      yield* anomaliesOf(this.world.conversation(id)!);
    }
  }
}

function summarize(record: ConversationRecord): TruthConversationSummary {
  return {
    id: record.id,
    messengerType: record.kind,
    startTime: isoString(record.startTime),
    endTime: record.endTime === undefined ? undefined : isoString(record.endTime),
    queueId: record.queueId,
    divisionId: record.divisionId,
  };
}

function byTime(a: MessageRecord, b: MessageRecord): number {
  return a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Timestamp order, keeping the first message of each providerMessageId. */
export function canonicalMessages(record: ConversationRecord): MessageRecord[] {
  const seen = new Set<string>();
  const out: MessageRecord[] = [];
  for (const message of [...record.messages].sort(byTime)) {
    if (seen.has(message.providerMessageId)) continue;
    seen.add(message.providerMessageId);
    out.push(message);
  }
  return out;
}

/** Finds integrity anomalies by inspection, so runtime conversations are covered too. */
export function anomaliesOf(record: ConversationRecord): ConversationAnomaly[] {
  const anomalies: ConversationAnomaly[] = [];
  const byProvider = new Map<string, MessageRecord[]>();
  for (const m of [...record.messages].sort(byTime)) {
    const list = byProvider.get(m.providerMessageId) ?? [];
    list.push(m);
    byProvider.set(m.providerMessageId, list);
  }
  for (const [providerMessageId, list] of byProvider) {
    if (list.length > 1) {
      anomalies.push({ conversationId: record.id, kind: 'duplicate-provider-message-id', messageIds: list.map((m) => m.id), providerMessageId });
    }
  }
  const time = new Map(record.messages.map((m) => [m.id, m.timestamp]));
  for (const p of record.participants) {
    const seen = new Set<string>();
    const firstOccurrences: string[] = [];
    for (const id of p.messageIds) {
      if (seen.has(id)) {
        anomalies.push({ conversationId: record.id, kind: 'repeated-message-id', messageIds: [id] });
        continue;
      }
      seen.add(id);
      firstOccurrences.push(id);
    }
    for (let k = 1; k < firstOccurrences.length; k++) {
      const a = firstOccurrences[k - 1];
      const b = firstOccurrences[k];
      if (time.get(a)! > time.get(b)!) anomalies.push({ conversationId: record.id, kind: 'out-of-order', messageIds: [a, b] });
    }
  }
  return anomalies;
}
