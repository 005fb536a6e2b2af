import { GenesysApiError, systemClock, type Clock } from '@gcm/genesys-auth';
import type { Conversation, MessageConversation, MessageData, MessageDetails, MessagingClient } from '@gcm/messaging-client';
import { HistorySyncError, HistorySyncErrorCode, SyncFailure } from './history-sync.error';
import { epochMs, isoUtc, type Instant } from './instant';
import { assessIntegrity, orderFetched, type IntegrityOptions } from './integrity/integrity-report';
import { roleOfPurpose } from './normalize/sender-role';
import { dropUndefined, messageInstant, toTimelineAttachment, toTimelineMessage, type SenderInfo } from './normalize/timeline-message.mapper';
import { participantStateHistory } from './participants/participant-history';
import { assessReceiptSla, type ReceiptSlaOptions } from './sla/receipt-sla';
import { mapConcurrent } from './sync/concurrent-map';
import type { Timeline, TimelineConversation, TimelineFilter, TimelineMessage, TimelineParticipant } from './timeline.model';

/**
 * The reads a sync needs: `MessagingClient` of `@gcm/messaging-client` in production, an
 * in-memory fake (`@gcm/history-timeline/testing`) in unit tests.
 */
export type HistorySource = Pick<MessagingClient, 'getConversation' | 'getMessageConversation' | 'getMessagesBulk'>;

export interface SyncOptions {
  /** Keep only messages at or after `from` and before `to`. */
  window?: { from?: Instant; to?: Instant };
  /** Keep only messages no older than this at sync time (a retention period). */
  retention?: { maxAgeMs: number };
  /** Keep only these `normalizedMessage.type`s (Text, Structured, Event, …). */
  messageTypes?: readonly string[];
  integrity?: IntegrityOptions;
  sla?: ReceiptSlaOptions;
  /** Bulk requests in flight for one conversation (default 4). */
  bulkConcurrency?: number;
  signal?: AbortSignal;
}

export interface SyncManyOptions extends SyncOptions {
  /** Conversations synced at once, and the most results held in memory (default 8). */
  concurrency?: number;
}

export interface HistorySyncOptions {
  source: HistorySource;
  clock?: Clock;
  /** Defaults for every sync; per-call options win. */
  defaults?: Omit<SyncOptions, 'signal'>;
}

export type SyncResult = Timeline | SyncFailure;

/**
 * Assembles verified timelines from the Platform API. The API has no paged history
 * (genesys-api.md §3), so a sync reads the message conversation (participants and their
 * message ids) and the conversation (start/end), bulk-fetches every listed id, and checks
 * and orders the result itself; filters are applied here because the API has none.
 */
export class HistorySync {
  private readonly source: HistorySource;
  private readonly clock: Clock;
  private readonly defaults: Omit<SyncOptions, 'signal'>;

  constructor(options: HistorySyncOptions) {
    this.source = options.source;
    this.clock = options.clock ?? systemClock;
    this.defaults = options.defaults ?? {};
    validateOptions(this.defaults);
  }

  async sync(conversationId: string, options: SyncOptions = {}): Promise<Timeline> {
    const settings: SyncOptions = {
      ...this.defaults,
      ...options,
      integrity: { ...this.defaults.integrity, ...options.integrity },
      sla: { ...this.defaults.sla, ...options.sla },
    };
    validateOptions(settings, conversationId);
    const { signal } = settings;
    const startedMs = this.clock.now();
    try {
      const [listing, conversation] = await Promise.all([
        this.source.getMessageConversation(conversationId, { signal }),
        this.readConversation(conversationId, signal),
      ]);
      if (!Array.isArray(listing?.participants)) {
        throw new HistorySyncError(HistorySyncErrorCode.InvalidResponse, `Conversation ${conversationId}: the message conversation has no participants list.`, conversationId);
      }
      const { ids, senders, details } = listedMessages(listing);
      const bulk = await this.source.getMessagesBulk(conversationId, ids, { concurrency: settings.bulkConcurrency ?? 4, signal });
      const fetchedMs = this.clock.now();
      const fetchedAt = new Date(fetchedMs).toISOString();

      const bodies = new Map<string, { message: MessageData; at: number }>();
      for (const message of bulk.messages) {
        if (!message?.id || bodies.has(message.id) || !senders.has(message.id)) continue;
        const at = messageInstant(message, details.get(message.id));
        if (!Number.isFinite(at)) {
          throw new HistorySyncError(
            HistorySyncErrorCode.InvalidResponse,
            `Conversation ${conversationId}: message ${message.id} has no readable timestamp (timestamp "${String(message.timestamp)}"), so it cannot be placed in the timeline.`,
            conversationId,
          );
        }
        bodies.set(message.id, { message, at });
      }

      const { startMs, endMs, source: conversationSource } = conversationBounds(listing, conversation);
      const fetched = new Map([...bodies].map(([id, { message, at }]) => [id, { at, providerMessageId: message.providerMessageId || undefined }]));
      const integrity = assessIntegrity(
        { conversation: listing, fetched, missingIds: new Set(bulk.missingIds.filter((id) => senders.has(id))), startMs, endMs },
        settings.integrity,
      );
      const order = orderFetched(fetched);
      const toMessage = ({ id, at }: { id: string; at: number }) => toTimelineMessage((bodies.get(id) as { message: MessageData }).message, senders.get(id), at, fetchedAt);
      const filter = resolveFilter(settings, fetchedMs);
      const all = order.kept.map(toMessage);
      const messages = all.filter((message) => passes(message, filter));

      return {
        conversationId,
        conversation: timelineConversation(conversationId, listing, conversation, startMs, endMs, bodies),
        participants: listing.participants.map(timelineParticipant),
        messages,
        droppedDuplicates: order.dropped.map(toMessage).filter((message) => passes(message, filter)),
        integrity,
        // An ended conversation is judged as of its end, so the SLA (and the archive
        // record's content hash) does not change with the time it happens to be synced.
        sla: assessReceiptSla(messages, endMs !== undefined && Number.isFinite(endMs) ? Math.min(endMs, fetchedMs) : fetchedMs, settings.sla),
        sync: {
          syncedAt: fetchedAt,
          durationMs: Math.max(0, fetchedMs - startedMs),
          conversationSource,
          listedMessageIds: ids.length,
          fetchedMessages: bodies.size,
          filteredOut: all.length - messages.length,
          filter: filter.record,
        },
      };
    } catch (error) {
      throw HistorySyncError.from(error, conversationId, signal);
    }
  }

  /**
   * Re-reads the messages that carry attachments to refresh their presigned URLs, which
   * expire. Returns a new timeline; an attachment Genesys no longer returns keeps its old
   * URL and `fetchedAt`, so its age shows it is stale.
   */
  async reResolveMedia(timeline: Timeline, options: Pick<SyncOptions, 'signal' | 'bulkConcurrency'> = {}): Promise<Timeline> {
    const withMedia = [...timeline.messages, ...timeline.droppedDuplicates].filter((m) => m.attachments.length > 0).map((m) => m.id);
    if (withMedia.length === 0) return timeline;
    try {
      const bulk = await this.source.getMessagesBulk(timeline.conversationId, withMedia, {
        concurrency: options.bulkConcurrency ?? this.defaults.bulkConcurrency ?? 4,
        signal: options.signal,
      });
      const fetchedAt = new Date(this.clock.now()).toISOString();
      const fresh = new Map<string, ReturnType<typeof toTimelineAttachment>>();
      for (const message of bulk.messages) {
        const attachments = toTimelineMessage(message, undefined, 0, fetchedAt).attachments;
        for (const attachment of attachments) fresh.set(`${message.id}\u0000${attachment.id}`, attachment);
      }
      const refresh = (message: TimelineMessage): TimelineMessage =>
        message.attachments.length === 0
          ? message
          : {
              ...message,
              attachments: message.attachments.map((old) => {
                const renewed = fresh.get(`${message.id}\u0000${old.id}`);
                return renewed ? dropUndefined({ ...old, url: renewed.url, expiresAt: renewed.expiresAt, fetchedAt }) : old;
              }),
            };
      return {
        ...timeline,
        messages: timeline.messages.map(refresh),
        droppedDuplicates: timeline.droppedDuplicates.map(refresh),
        sync: { ...timeline.sync, mediaRefreshedAt: fetchedAt },
      };
    } catch (error) {
      throw HistorySyncError.from(error, timeline.conversationId, options.signal);
    }
  }

  /**
   * Syncs a stream of conversation ids, `concurrency` at a time, yielding each result as it
   * is ready (not in input order): one Timeline or SyncFailure per id read, and a failing
   * conversation never stops the others. At most `concurrency` conversations are held at
   * once, so memory stays flat however long the stream; dedupe ids upstream if the source
   * can repeat them (search-stream does).
   */
  syncMany(ids: AsyncIterable<string> | Iterable<string>, options: SyncManyOptions = {}): AsyncIterable<SyncResult> {
    const { concurrency = 8, signal, ...syncOptions } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new HistorySyncError(HistorySyncErrorCode.InvalidOptions, `concurrency must be an integer ≥ 1, got ${concurrency}`);
    }
    return mapConcurrent(
      ids,
      concurrency,
      async (conversationId, taskSignal) => {
        try {
          return await this.sync(conversationId, { ...syncOptions, signal: taskSignal });
        } catch (error) {
          return new SyncFailure(conversationId, HistorySyncError.from(error, conversationId, taskSignal));
        }
      },
      signal,
    );
  }

  /** GET /api/v2/conversations/{id}; without `conversation:communication:view` the bounds come from the participants. */
  private async readConversation(conversationId: string, signal?: AbortSignal): Promise<Conversation | undefined> {
    try {
      return await this.source.getConversation(conversationId, { signal });
    } catch (error) {
      if (error instanceof GenesysApiError && error.category === 'permission') return undefined;
      throw error;
    }
  }
}

function validateOptions(options: Omit<SyncOptions, 'signal'>, conversationId?: string): void {
  const fail = (message: string) => {
    throw new HistorySyncError(HistorySyncErrorCode.InvalidOptions, message, conversationId);
  };
  const from = options.window?.from;
  const to = options.window?.to;
  if (from !== undefined && !Number.isFinite(epochMs(from))) fail(`window.from is not an instant: ${String(from)}`);
  if (to !== undefined && !Number.isFinite(epochMs(to))) fail(`window.to is not an instant: ${String(to)}`);
  if (from !== undefined && to !== undefined && epochMs(from) > epochMs(to)) fail(`window.from (${isoUtc(from)}) is after window.to (${isoUtc(to)})`);
  const maxAge = options.retention?.maxAgeMs;
  if (maxAge !== undefined && !(Number.isFinite(maxAge) && maxAge > 0)) fail(`retention.maxAgeMs must be a positive number of milliseconds, got ${maxAge}`);
  const concurrency = options.bulkConcurrency;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) fail(`bulkConcurrency must be an integer ≥ 1, got ${concurrency}`);
  const gap = options.integrity?.gapThresholdMs;
  if (gap !== undefined && gap !== null && !(Number.isFinite(gap) && gap > 0)) fail(`integrity.gapThresholdMs must be a positive number or null, got ${gap}`);
  const tolerance = options.integrity?.boundaryToleranceMs;
  if (tolerance !== undefined && !(Number.isFinite(tolerance) && tolerance >= 0)) fail(`integrity.boundaryToleranceMs must be ≥ 0, got ${tolerance}`);
  for (const key of ['deliveredWithinMs', 'readWithinMs'] as const) {
    const value = options.sla?.[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) fail(`sla.${key} must be ≥ 0, got ${value}`);
  }
}

/** Distinct listed ids in first-listed order, the participant that lists each first, and its list entry. */
function listedMessages(listing: MessageConversation): {
  ids: string[];
  senders: Map<string, SenderInfo>;
  details: Map<string, MessageDetails>;
} {
  const senders = new Map<string, SenderInfo>();
  const details = new Map<string, MessageDetails>();
  for (const participant of listing.participants) {
    for (const entry of participant.messages ?? []) {
      const id = entry?.messageId;
      if (!id || senders.has(id)) continue;
      senders.set(id, { participantId: participant.id, purpose: participant.purpose });
      details.set(id, entry);
    }
  }
  return { ids: [...senders.keys()], senders, details };
}

function conversationBounds(
  listing: MessageConversation,
  conversation: Conversation | undefined,
): { startMs?: number; endMs?: number; source: 'fetched' | 'derived' } {
  const finite = (ms: number) => (Number.isFinite(ms) ? ms : undefined);
  if (conversation) return { startMs: finite(epochMs(conversation.startTime)), endMs: finite(epochMs(conversation.endTime)), source: 'fetched' };
  const starts = listing.participants.map((p) => epochMs(p.startTime)).filter(Number.isFinite);
  const ends = listing.participants.map((p) => epochMs(p.endTime));
  const allEnded = ends.length > 0 && ends.every(Number.isFinite);
  return {
    startMs: starts.length ? Math.min(...starts) : undefined,
    endMs: allEnded ? Math.max(...ends) : undefined,
    source: 'derived',
  };
}

function timelineConversation(
  id: string,
  listing: MessageConversation,
  conversation: Conversation | undefined,
  startMs: number | undefined,
  endMs: number | undefined,
  bodies: Map<string, { message: MessageData }>,
): TimelineConversation {
  const divisions = (conversation?.divisions ?? listing.divisions ?? []) as Array<{ division?: { id?: string } }>;
  const firstBody = bodies.values().next().value as { message: MessageData } | undefined;
  return dropUndefined({
    id,
    startTime: isoUtc(startMs),
    endTime: isoUtc(endMs),
    state: conversation?.state ?? (endMs === undefined ? undefined : 'disconnected'),
    messengerType: listing.participants.find((p) => p.type)?.type ?? firstBody?.message.messengerType,
    divisionIds: [...new Set(divisions.map((d) => d?.division?.id).filter((d): d is string => typeof d === 'string'))].sort(),
    externalTag: conversation?.externalTag,
  });
}

function timelineParticipant(participant: MessageConversation['participants'][number]): TimelineParticipant {
  const { history, violations } = participantStateHistory(participant);
  const wrapup = participant.wrapup;
  return dropUndefined({
    id: participant.id,
    purpose: participant.purpose,
    role: roleOfPurpose(participant.purpose),
    name: participant.name,
    userId: participant.user?.id,
    queueId: participant.queue?.id,
    address: participant.address || undefined,
    state: participant.state,
    startTime: isoUtc(participant.startTime),
    connectedTime: isoUtc(participant.connectedTime),
    endTime: isoUtc(participant.endTime),
    disconnectType: participant.disconnectType,
    wrapupRequired: participant.wrapupRequired,
    wrapup: wrapup
      ? dropUndefined({
          code: wrapup.code,
          name: wrapup.name,
          notes: wrapup.notes,
          durationSeconds: wrapup.durationSeconds,
          endTime: isoUtc(wrapup.endTime),
        })
      : undefined,
    attributes: { ...(participant.attributes ?? {}) },
    listedMessages: participant.messages?.length ?? 0,
    stateHistory: history,
    stateViolations: violations,
  });
}

interface ResolvedFilter {
  fromMs: number;
  toMs: number;
  types?: ReadonlySet<string>;
  record: TimelineFilter;
}

function resolveFilter(options: SyncOptions, nowMs: number): ResolvedFilter {
  let fromMs = epochMs(options.window?.from ?? Number.NEGATIVE_INFINITY);
  const toMs = epochMs(options.window?.to ?? Number.POSITIVE_INFINITY);
  if (options.retention) fromMs = Math.max(fromMs, nowMs - options.retention.maxAgeMs);
  const types = options.messageTypes ? new Set(options.messageTypes) : undefined;
  return {
    fromMs,
    toMs,
    types,
    record: dropUndefined({
      from: Number.isFinite(fromMs) ? isoUtc(fromMs) : undefined,
      to: Number.isFinite(toMs) ? isoUtc(toMs) : undefined,
      messageTypes: options.messageTypes ? [...options.messageTypes].sort() : undefined,
    }),
  };
}

function passes(message: TimelineMessage, filter: ResolvedFilter): boolean {
  const at = Date.parse(message.timestamp);
  return at >= filter.fromMs && at < filter.toMs && (!filter.types || filter.types.has(message.type));
}
