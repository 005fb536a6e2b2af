import { setMaxListeners } from 'node:events';
import { noopLogger, realSleep, systemClock, type Clock, type GenesysLogger, type RandomSource, type Sleep } from '@gcm/genesys-auth';
import { assessReceiptSla, type ReceiptSlaOptions, type TimelineMessage } from '@gcm/history-timeline';
import { messageAttachments, messageText, type ConversationNotification, type MessageData, type MessagingClient } from '@gcm/messaging-client';
import { LiveEventHub } from '../events/live-event-hub';
import type { LiveEvent, LiveEventOrigin, LiveMessage, MessageEvent, ParticipantRef } from '../events/live-event.model';
import { LiveEventsError, LiveEventsErrorCode } from '../live-events.error';
import { ConversationTracker, isOrgPurpose, type SnapshotDelta, type TrackedMessage } from './conversation-tracker';
import { KeyedSerialQueue } from './keyed-serial-queue';
import { persist } from './retry-forever';

/**
 * Somewhere every event must reach before it counts as processed (the CRM outbox). A
 * write that throws is retried with backoff until it succeeds or the processor stops; the
 * conversation waits meanwhile, and the watermark does not pass it.
 */
export interface LiveEventSink {
  readonly name: string;
  write(events: readonly LiveEvent[]): Promise<void>;
}

export interface LiveEventProcessorOptions {
  /** Reads message bodies by id (`POST …/messages/bulk`): a `MessagingClient`. */
  bodies: Pick<MessagingClient, 'getMessagesBulk'>;
  /** Receipt SLA thresholds (history-timeline's defaults: delivered within 5 min, read within 30 min). */
  sla?: ReceiptSlaOptions;
  sinks?: readonly LiveEventSink[];
  /**
   * Messages listed before this instant (epoch ms) are taken as already known: a
   * conversation seen for the first time does not replay its history. Default: when the
   * processor was created. After a restart, pass the watermark saved before it.
   */
  announceSince?: number;
  /** Conversations processed at once (each one's snapshots stay in order). Default 8. */
  concurrency?: number;
  /** Conversations followed (least recently changed forgotten first). Default 10,000. */
  maxConversations?: number;
  /** Snapshots accepted and not yet processed before `consume` waits. Default 1,000. */
  maxInFlight?: number;
  /** Attempts at reading bodies before the message goes out without one. Default 5. */
  fetchAttempts?: number;
  /**
   * Read message bodies (text, attachments, receipts) — one bulk request per snapshot that
   * brings new messages or receipts. Genesys allows about 300 requests per minute per token
   * (genesys-api.md §2): an organisation with more message traffic than that should turn it
   * off; messages then come without text (`bodySkipped`) and receipts from the status alone,
   * timed when observed. Default true.
   */
  readBodies?: boolean;
  clock?: Clock;
  sleep?: Sleep;
  random?: RandomSource;
  logger?: GenesysLogger;
}

const STATUS_RECEIPTS: Record<string, string> = {
  'delivery-success': 'Delivered',
  read: 'Read',
  'delivery-failed': 'Failed',
  failed: 'Failed',
};

/**
 * Turns conversation snapshots into domain events: participant transitions through the
 * history-timeline state machine, new message ids into message events with their bodies
 * (read in bulk), receipts into receipt events and SLA breaches. Snapshots of one
 * conversation are processed in order; different conversations in parallel. Events are
 * published to the hub (AsyncIterable / Observable subscribers) and written to every
 * durable sink before the snapshot counts as processed.
 */
export class LiveEventProcessor {
  readonly hub = new LiveEventHub();
  private readonly trackers = new Map<string, ConversationTracker>();
  /** Per conversation, the batch not yet started (snapshots arriving meanwhile join it). */
  private readonly waiting = new Map<string, PendingBatch>();
  private readonly queue: KeyedSerialQueue;
  private readonly inFlight = new Map<number, number>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly stop = new AbortController();
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: RandomSource;
  private readonly logger: GenesysLogger;
  private readonly announceSince: number;
  private readonly maxConversations: number;
  private readonly maxInFlight: number;
  private readonly fetchAttempts: number;
  private readonly readBodiesEnabled: boolean;

  constructor(private readonly options: LiveEventProcessorOptions) {
    // every request and wait in flight listens to the one stop signal
    setMaxListeners(0, this.stop.signal);
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? noopLogger;
    this.announceSince = options.announceSince ?? this.clock.now();
    const concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new LiveEventsError(LiveEventsErrorCode.InvalidOptions, `concurrency must be a positive integer, got ${concurrency}.`);
    }
    this.queue = new KeyedSerialQueue(concurrency);
    this.maxConversations = options.maxConversations ?? 10_000;
    this.maxInFlight = options.maxInFlight ?? 1_000;
    this.fetchAttempts = options.fetchAttempts ?? 5;
    this.readBodiesEnabled = options.readBodies ?? true;
  }

  /**
   * Takes one snapshot and resolves with its events once the sinks have them. The snapshot
   * is applied to the conversation's tracker at once, in arrival order (participant
   * transitions and new message ids are found here, so none is lost) and then dropped: what
   * waits is only the work left (events to deliver, message ids whose bodies to read). A
   * conversation has at most one batch being processed and one waiting; a snapshot that
   * arrives while one waits joins it (one bulk body read for all of them), so however far
   * the sinks or the body reads fall behind, memory stays per conversation, never per
   * snapshot. Snapshots merged into one batch resolve with that batch's events.
   */
  process(notification: ConversationNotification): Promise<LiveEvent[]> {
    const conversationId = notification.conversationId;
    const tracker = this.trackerFor(conversationId);
    const delta = tracker.apply(notification.snapshot, notification.origin, notification.receivedAt);
    const observedAt = new Date(notification.receivedAt).toISOString();
    const ended = delta.ended
      ? {
          origin: notification.origin,
          observedAt,
          occurredAt: latestEnd(notification) ?? observedAt,
          participants: tracker.participantStates(),
          queueIds: [...tracker.queueIds],
        }
      : undefined;
    const waiting = this.waiting.get(conversationId);
    if (delta.events.length === 0 && delta.newMessages.length === 0 && delta.statusChanged.length === 0 && !ended) {
      // nothing new; it completes with whatever of the conversation is already queued
      return waiting?.done ?? Promise.resolve([]);
    }
    if (waiting) {
      waiting.add(delta, notification, observedAt, ended);
      return waiting.done;
    }
    const batch = new PendingBatch(tracker, notification.receivedAt);
    batch.add(delta, notification, observedAt, ended);
    this.waiting.set(conversationId, batch);
    const at = batch.receivedAt;
    this.inFlight.set(at, (this.inFlight.get(at) ?? 0) + 1);
    batch.done = this.queue.run(conversationId, () => {
      // from here on new snapshots start the next batch
      if (this.waiting.get(conversationId) === batch) this.waiting.delete(conversationId);
      return this.processBatch(batch);
    });
    void batch.done
      .finally(() => {
        const left = (this.inFlight.get(at) ?? 1) - 1;
        if (left === 0) this.inFlight.delete(at);
        else this.inFlight.set(at, left);
      })
      .catch(() => undefined);
    return batch.done;
  }

  /** Conversations with a batch waiting or being processed (what `maxConversations` bounds, plus these). */
  get pendingConversations(): number {
    return this.queue.pendingKeys;
  }

  /**
   * Processes every snapshot of `source` until it ends or `signal` aborts. Snapshots are
   * taken as fast as they are processed, with at most `maxInFlight` waiting.
   */
  async consume(source: AsyncIterable<ConversationNotification>, signal?: AbortSignal): Promise<void> {
    for await (const notification of source) {
      if (signal?.aborted || this.stop.signal.aborted) break;
      const task = this.process(notification).catch((error) => {
        if (!this.stop.signal.aborted) this.logger.error?.('Live event processing failed', { conversationId: notification.conversationId, error: (error as Error).message });
      });
      this.running.add(task);
      void task.finally(() => this.running.delete(task));
      if (this.running.size >= this.maxInFlight) await Promise.race(this.running);
    }
  }

  /**
   * Announces delivery-missing breaches: outbound messages with no delivery receipt and no
   * failure for longer than `deliveredWithinMs`. Call it periodically (LiveEvents does).
   */
  async checkSla(): Promise<LiveEvent[]> {
    const now = this.clock.now();
    const all: LiveEvent[] = [];
    const work: Array<Promise<LiveEvent[]>> = [];
    for (const tracker of this.trackers.values()) {
      const due = [...tracker.messages.values()].filter((m) => m.direction === 'outbound' && !m.settled && m.sentAt !== undefined && !m.breaches.has('delivery-missing'));
      if (due.length === 0) continue;
      work.push(
        this.queue.run(tracker.conversationId, async () => {
          const events = due.flatMap((message) => this.slaEvents(tracker, message, now, 'live'));
          await this.deliver(events);
          return events;
        }),
      );
    }
    for (const events of await Promise.all(work)) all.push(...events);
    return all;
  }

  /** Publishes an event that belongs to no conversation (gap.backfilled, stream.channel) and hands it to the sinks. */
  async publishSystem(event: LiveEvent): Promise<void> {
    await this.deliver([event]);
  }

  /**
   * The instant up to which every snapshot received has been processed and written to the
   * sinks: the earliest one still in flight, or now when none is.
   */
  watermark(): number {
    if (this.inFlight.size > 0) return Math.min(...this.inFlight.keys()) - 1;
    return this.clock.now();
  }

  /** The followed conversation (participant states, known messages), if still remembered. */
  tracker(conversationId: string): ConversationTracker | undefined {
    return this.trackers.get(conversationId);
  }

  conversationIds(): string[] {
    return [...this.trackers.keys()];
  }

  /** Resolves when everything queued so far has been processed. */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  /** Stops retries and ends every subscription. */
  close(): void {
    this.stop.abort(new LiveEventsError(LiveEventsErrorCode.Closed, 'The live event processor was stopped.'));
    this.hub.close();
  }

  // ── one batch ────────────────────────────────────────────────────────────

  private async processBatch(batch: PendingBatch): Promise<LiveEvent[]> {
    const { tracker } = batch;
    const events = [...batch.events];
    const toRead = new Map<string, { message: TrackedMessage; origin: LiveEventOrigin; observedAt: string; receivedAt: number }>();
    for (const [id, seen] of batch.newMessages) toRead.set(id, seen);
    for (const [id, seen] of batch.statusChanged) toRead.set(id, seen);
    const bodies =
      toRead.size > 0 && this.readBodiesEnabled ? await this.readBodies(tracker.conversationId, [...toRead.keys()]) : new Map<string, MessageData>();

    const fresh = [...batch.newMessages.values()]
      .map(({ message, origin, observedAt }) => this.messageEvent(tracker, message, bodies.get(message.id), origin, observedAt))
      .sort((a, b) => a.message.timestamp.localeCompare(b.message.timestamp) || a.message.id.localeCompare(b.message.id));
    events.push(...fresh);

    const now = this.clock.now();
    for (const { message, origin, observedAt, receivedAt } of toRead.values()) {
      const body = bodies.get(message.id);
      if (body && message.direction === undefined && (body.direction === 'inbound' || body.direction === 'outbound')) {
        message.direction = body.direction;
        const sentAt = Date.parse(body.timestamp);
        if (Number.isFinite(sentAt)) message.sentAt = sentAt;
      }
      if (!this.readBodiesEnabled && message.direction === undefined) {
        message.direction = isOrgPurpose(message.senderPurpose) ? 'outbound' : 'inbound';
        if (Number.isFinite(message.listedAt)) message.sentAt = message.listedAt;
      }
      if (message.direction !== 'outbound') continue;
      if (body) events.push(...this.receiptEvents(tracker, message, body, origin, observedAt));
      else if (!this.readBodiesEnabled) events.push(...this.receiptEvents(tracker, message, statusOnly(message, receivedAt), origin, observedAt));
      events.push(...this.slaEvents(tracker, message, now, origin));
    }

    if (batch.ended) {
      const { origin, observedAt, occurredAt, participants, queueIds } = batch.ended;
      events.push({
        id: `${tracker.conversationId}:ended`,
        type: 'conversation.ended',
        conversationId: tracker.conversationId,
        queueIds,
        occurredAt,
        observedAt,
        origin,
        participants,
      });
    }
    await this.deliver(events);
    return events;
  }

  private async readBodies(conversationId: string, ids: string[]): Promise<Map<string, MessageData>> {
    try {
      const { messages } = await persist(() => this.options.bodies.getMessagesBulk(conversationId, ids, { signal: this.stop.signal }), {
        attempts: this.fetchAttempts,
        sleep: this.sleep,
        random: this.random,
        signal: this.stop.signal,
      });
      return new Map(messages.map((m) => [m.id, m]));
    } catch (error) {
      if (this.stop.signal.aborted) throw error;
      this.logger.warn?.('Message bodies could not be read; announcing the messages without them', { conversationId, count: ids.length, error: (error as Error).message });
      return new Map();
    }
  }

  private messageEvent(tracker: ConversationTracker, message: TrackedMessage, body: MessageData | undefined, origin: LiveEventOrigin, observedAt: string): MessageEvent {
    const direction = body?.direction === 'inbound' || body?.direction === 'outbound' ? body.direction : isOrgPurpose(message.senderPurpose) ? 'outbound' : 'inbound';
    const sentAt = body ? Date.parse(body.timestamp) : message.listedAt;
    message.direction = direction;
    message.sentAt = Number.isFinite(sentAt) ? sentAt : undefined;
    message.announced = true;
    const text = body ? messageText(body) : undefined;
    const live: LiveMessage = dropUndefined({
      id: message.id,
      direction,
      timestamp: Number.isFinite(sentAt) ? new Date(sentAt).toISOString() : observedAt,
      participantId: message.participantId,
      senderPurpose: message.senderPurpose,
      messageType: body?.normalizedMessage?.type,
      messengerType: body?.messengerType,
      text: text ?? undefined,
      attachments: body
        ? messageAttachments(body).map((a) =>
            dropUndefined({ id: a.id, mediaType: a.mediaType, mime: a.mime, filename: a.filename, sizeBytes: typeof a.contentSizeBytes === 'number' ? a.contentSizeBytes : undefined, url: a.url }),
          )
        : [],
      status: body?.status ?? message.status,
      bodyMissing: body || !this.readBodiesEnabled ? undefined : true,
      bodySkipped: this.readBodiesEnabled ? undefined : true,
    });
    return {
      id: `${tracker.conversationId}:message:${message.id}`,
      type: direction === 'inbound' ? 'message.received' : 'message.sent',
      conversationId: tracker.conversationId,
      queueIds: [...tracker.queueIds],
      occurredAt: live.timestamp,
      observedAt,
      origin,
      message: live,
    };
  }

  /** Receipts not announced yet: normalized receipts first; a status with no receipt behind it stands in for one. */
  private receiptEvents(tracker: ConversationTracker, message: TrackedMessage, body: MessageData, origin: LiveEventOrigin, observedAt: string): LiveEvent[] {
    const events: LiveEvent[] = [];
    const announce = (status: string, time: string | undefined, source: 'receipt' | 'status', reasons?: Array<{ code?: string; message?: string }>) => {
      if (message.receiptStatuses.has(status)) return;
      message.receiptStatuses.add(status);
      message.receipts.push(dropUndefined({ status, time, reasons }));
      const at = time === undefined ? Number.NaN : Date.parse(time);
      // a receipt from before we started belongs to history we do not replay
      if (Number.isFinite(at) && at < this.announceSince) return;
      events.push({
        id: `${tracker.conversationId}:receipt:${message.id}:${status}`,
        type: 'receipt.received',
        conversationId: tracker.conversationId,
        queueIds: [...tracker.queueIds],
        occurredAt: Number.isFinite(at) ? new Date(at).toISOString() : observedAt,
        observedAt,
        origin,
        messageId: message.id,
        status,
        source,
        ...(reasons && reasons.length > 0 ? { reasons } : {}),
      });
    };
    const receipts = [...(body.normalizedReceipts ?? [])].sort((a, b) => String(a.channel?.time ?? '').localeCompare(String(b.channel?.time ?? '')));
    for (const receipt of receipts) {
      if (typeof receipt.status !== 'string') continue;
      announce(receipt.status, typeof receipt.channel?.time === 'string' ? receipt.channel.time : undefined, 'receipt', receipt.reasons?.map((r) => dropUndefined({ code: r.code, message: r.message })));
    }
    const fromStatus = STATUS_RECEIPTS[body.status ?? ''];
    if (fromStatus && !message.receiptStatuses.has(fromStatus) && !(fromStatus === 'Delivered' && message.receiptStatuses.has('Read'))) {
      announce(fromStatus, undefined, 'status');
    }
    if (message.receiptStatuses.has('Delivered') || message.receiptStatuses.has('Read') || message.receiptStatuses.has('Failed')) message.settled = true;
    return events;
  }

  private slaEvents(tracker: ConversationTracker, message: TrackedMessage, now: number, origin: LiveEventOrigin): LiveEvent[] {
    if (message.direction !== 'outbound' || message.sentAt === undefined || message.sentAt < this.announceSince) return [];
    const timelineMessage = {
      id: message.id,
      timestamp: new Date(message.sentAt).toISOString(),
      direction: 'outbound',
      type: 'Text',
      senderRole: 'agent',
      attachments: [],
      status: message.status,
      receipts: message.receipts,
    } as TimelineMessage;
    const report = assessReceiptSla([timelineMessage], now, this.options.sla);
    const outcome = report.messages[0]?.outcome;
    if (outcome === 'delivered' || outcome === 'read' || outcome === 'failed') message.settled = true;
    const observedAt = new Date(now).toISOString();
    const events: LiveEvent[] = [];
    for (const breach of report.breaches) {
      if (message.breaches.has(breach.kind)) continue;
      // a late receipt settles what was first a missing one: report each kind once
      message.breaches.add(breach.kind);
      events.push({
        id: `${tracker.conversationId}:sla:${message.id}:${breach.kind}`,
        type: 'receipt.sla.breached',
        conversationId: tracker.conversationId,
        queueIds: [...tracker.queueIds],
        occurredAt: observedAt,
        observedAt,
        origin,
        messageId: message.id,
        kind: breach.kind,
        latencyMs: breach.latencyMs,
        thresholdMs: breach.thresholdMs,
      });
    }
    return events;
  }

  private async deliver(events: LiveEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.hub.publish(events);
    for (const sink of this.options.sinks ?? []) {
      await persist(() => sink.write(events), {
        attempts: Number.POSITIVE_INFINITY,
        sleep: this.sleep,
        random: this.random,
        signal: this.stop.signal,
        onRetry: (error, attempt, delayMs) =>
          this.logger.warn?.('A live event sink failed; retrying', { sink: sink.name, attempt, delayMs, error: (error as Error).message }),
      });
    }
  }

  private trackerFor(conversationId: string): ConversationTracker {
    let tracker = this.trackers.get(conversationId);
    if (tracker) this.trackers.delete(conversationId);
    else tracker = new ConversationTracker(conversationId, this.announceSince, () => this.clock.now());
    this.trackers.set(conversationId, tracker);
    if (this.trackers.size > this.maxConversations) this.trackers.delete(this.trackers.keys().next().value as string);
    return tracker;
  }
}

interface SeenMessage {
  message: TrackedMessage;
  origin: LiveEventOrigin;
  observedAt: string;
  receivedAt: number;
}

interface EndedConversation {
  origin: LiveEventOrigin;
  observedAt: string;
  occurredAt: string;
  participants: Array<ParticipantRef & { state: string }>;
  queueIds: string[];
}

/**
 * What one or more snapshots of a conversation left to do: the events their differences
 * produced (in snapshot order), the messages whose bodies must be read (by id: a message
 * listed by many snapshots is read once) and the end of the conversation. No snapshot is
 * kept.
 */
class PendingBatch {
  readonly events: LiveEvent[] = [];
  readonly newMessages = new Map<string, SeenMessage>();
  readonly statusChanged = new Map<string, SeenMessage>();
  ended?: EndedConversation;
  done!: Promise<LiveEvent[]>;

  constructor(
    readonly tracker: ConversationTracker,
    /** When its first snapshot arrived: the watermark stays before it until the batch is written. */
    readonly receivedAt: number,
  ) {}

  add(delta: SnapshotDelta, notification: ConversationNotification, observedAt: string, ended: EndedConversation | undefined): void {
    this.events.push(...delta.events);
    const seen = (message: TrackedMessage): SeenMessage => ({ message, origin: notification.origin, observedAt, receivedAt: notification.receivedAt });
    for (const message of delta.newMessages) if (!this.newMessages.has(message.id)) this.newMessages.set(message.id, seen(message));
    // the latest status change is the one to report receipts against
    for (const message of delta.statusChanged) this.statusChanged.set(message.id, seen(message));
    if (ended && !this.ended) this.ended = ended;
  }
}

/** A stand-in body when bodies are not read: the snapshot's status, which `receiptEvents` turns into a receipt. */
function statusOnly(message: TrackedMessage, observedAt: number): MessageData {
  return { id: message.id, timestamp: new Date(message.sentAt ?? observedAt).toISOString(), status: message.status } as MessageData;
}

function latestEnd(notification: ConversationNotification): string | undefined {
  const ends = notification.snapshot.participants.map((p) => (p.endTime ? Date.parse(p.endTime) : Number.NaN)).filter(Number.isFinite);
  return ends.length > 0 ? new Date(Math.max(...ends)).toISOString() : undefined;
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}
