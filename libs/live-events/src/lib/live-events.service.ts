import { noopLogger, realSleep, systemClock, type Clock, type GenesysLogger, type GenesysTransport, type RandomSource, type Sleep } from '@gcm/genesys-auth';
import type { ParticipantStatus, ReceiptSlaOptions } from '@gcm/history-timeline';
import {
  MessagingClient,
  NotificationChannelManager,
  queueConversationsTopic,
  userConversationsTopic,
  type BackfillReport,
  type ChannelEvent,
  type ChannelManagerOptions,
  type ConversationNotification,
  type SubscribeResult,
} from '@gcm/messaging-client';
import type { Observable } from 'rxjs';
import type { SubscribeOptions } from './events/live-event-hub';
import type { LiveEvent, LiveEventFilter } from './events/live-event.model';
import type { LiveEventsCheckpoint } from './live-events-checkpoint';
import { LiveEventsError, LiveEventsErrorCode } from './live-events.error';
import { LiveEventProcessor, type LiveEventSink } from './processing/live-event-processor';

export interface LiveEventsOptions {
  /** The channel manager (messaging-client). `LiveEvents.create` builds one from a transport. */
  manager: NotificationChannelManager;
  /** Reads message bodies by id: a `MessagingClient`. */
  bodies: Pick<MessagingClient, 'getMessagesBulk'>;
  /** Receipt SLA thresholds, and how often missing deliveries are looked for (default every 30 s). */
  sla?: ReceiptSlaOptions & { checkIntervalMs?: number };
  /** Sinks every event must reach before it counts as processed (e.g. `CrmOutboxSink`). */
  sinks?: readonly LiveEventSink[];
  /** Messages listed before this instant are not announced. Default: now, or `resumeFrom − resumeMarginMs`. */
  announceSince?: number;
  /**
   * After a restart: the watermark saved before it (`LiveEventsCheckpoint.load()`).
   * `catchUp()` then re-reads what changed since, and only that is announced.
   */
  resumeFrom?: number;
  /** Slack before `resumeFrom` for the time between a change and its notification. Default 60 s. */
  resumeMarginMs?: number;
  /**
   * Saves the watermark at `start()` (so a process that dies within its first interval
   * still resumes from there), every `checkpointIntervalMs` (default 5 s) and on close.
   */
  checkpoint?: LiveEventsCheckpoint;
  checkpointIntervalMs?: number;
  /** Conversations processed in parallel. Default 8. */
  concurrency?: number;
  /** Read message bodies and receipts (one bulk request per snapshot with news). Default true; see the README on rate limits. */
  readBodies?: boolean;
  /** Conversations followed in memory. Default 10,000. */
  maxConversations?: number;
  clock?: Clock;
  sleep?: Sleep;
  random?: RandomSource;
  logger?: GenesysLogger;
}

export interface LiveEventsCreateOptions extends Omit<LiveEventsOptions, 'manager' | 'bodies'> {
  transport: GenesysTransport;
  /** Options of the channel manager (limits, heartbeat, rollover, reconnect …). */
  channels?: Omit<ChannelManagerOptions, 'transport' | 'conversations' | 'clock' | 'sleep' | 'random' | 'logger'>;
}

export interface FollowRequest {
  queueIds?: readonly string[];
  userIds?: readonly string[];
}

/**
 * Live conversation events: the Notifications API (through the channel manager) in,
 * typed domain events out — as an AsyncIterable, an rxjs Observable, and into the durable
 * sinks. `follow` subscribes queues and users; `resumeFrom` fills what happened while
 * the process was down, from the watermark saved before.
 *
 * ```ts
 * const live = LiveEvents.create({ transport, sinks: [crmSink] });
 * await live.start();
 * await live.follow({ queueIds: [supportQueueId] });
 * for await (const event of live.events({ queueIds: [supportQueueId] })) send(event);
 * ```
 */
export class LiveEvents {
  readonly processor: LiveEventProcessor;
  readonly manager: NotificationChannelManager;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly logger: GenesysLogger;
  private readonly slaIntervalMs: number;
  private readonly stop = new AbortController();
  private readonly tasks = new Set<Promise<unknown>>();
  private started = false;
  private slaLoopTask?: Promise<void>;
  private checkpointLoopTask?: Promise<void>;
  private caughtUp = false;
  private readonly resumeAt?: number;
  private readonly checkpoint?: LiveEventsCheckpoint;
  private readonly checkpointIntervalMs: number;
  private readonly onNotification = (notification: ConversationNotification) => {
    this.track(this.processor.process(notification));
  };
  private readonly onBackfill = (report: BackfillReport) => {
    // after the snapshots it announces, which were queued before this event fired
    this.track(this.processor.drain().then(() => this.processor.publishSystem(gapEvent(report, this.clock.now()))));
  };
  private readonly onChannel = (event: ChannelEvent) => {
    this.track(this.processor.publishSystem(channelEvent(event)));
  };

  constructor(options: LiveEventsOptions) {
    this.manager = options.manager;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.logger = options.logger ?? noopLogger;
    this.slaIntervalMs = options.sla?.checkIntervalMs ?? 30_000;
    this.resumeAt = options.resumeFrom === undefined ? undefined : options.resumeFrom - (options.resumeMarginMs ?? 60_000);
    this.checkpoint = options.checkpoint;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? 5_000;
    this.processor = new LiveEventProcessor({
      bodies: options.bodies,
      sla: options.sla,
      sinks: options.sinks,
      announceSince: options.announceSince ?? this.resumeAt,
      concurrency: options.concurrency,
      readBodies: options.readBodies,
      maxConversations: options.maxConversations,
      clock: this.clock,
      sleep: this.sleep,
      random: options.random,
      logger: this.logger,
    });
  }

  /** Builds the MessagingClient and the channel manager on one transport. */
  static create(options: LiveEventsCreateOptions): LiveEvents {
    const { transport, channels, ...rest } = options;
    const messaging = new MessagingClient({ transport, clock: rest.clock, logger: rest.logger });
    const manager = new NotificationChannelManager({
      ...channels,
      transport,
      conversations: messaging,
      clock: rest.clock,
      sleep: rest.sleep,
      random: rest.random,
      logger: rest.logger,
    });
    return new LiveEvents({ ...rest, manager, bodies: messaging });
  }

  /**
   * Starts processing what the manager delivers and the SLA watch; with a checkpoint, saves
   * the watermark first (on a fresh start: now, since history is not announced; after a
   * restart it stays at the saved one until `catchUp()`). Idempotent.
   */
  async start(): Promise<void> {
    this.assertRunning();
    if (this.started) return;
    this.started = true;
    if (this.checkpoint) await this.checkpoint.save(this.watermark());
    this.manager.on('notification', this.onNotification);
    this.manager.on('backfill', this.onBackfill);
    this.manager.on('channel', this.onChannel);
    this.slaLoopTask = this.slaLoop();
    if (this.checkpoint) this.checkpointLoopTask = this.checkpointLoop(this.checkpoint);
  }

  /** Subscribes the conversation topics of these queues and users; each topic gets its own verdict. */
  follow(request: FollowRequest): Promise<SubscribeResult> {
    this.assertRunning();
    return this.manager.subscribe(topicsOf(request));
  }

  unfollow(request: FollowRequest): Promise<void> {
    return this.manager.unsubscribe(topicsOf(request));
  }

  /**
   * After a restart with `resumeFrom`: re-reads the conversations of the followed queues and
   * users that changed since then (less the margin) and announces what is new. Call it after
   * `follow`. Without `resumeFrom` there is nothing to catch up on.
   */
  async catchUp(): Promise<BackfillReport | undefined> {
    this.assertRunning();
    if (this.resumeAt === undefined) return undefined;
    const report = await this.manager.backfill(this.resumeAt, this.clock.now());
    // the snapshots it announced are queued: the resume point holds until they are processed
    await this.processor.drain();
    this.caughtUp = true;
    return report;
  }

  /** Events matching the filter (queues, conversations, types), as an AsyncIterable. */
  events(filter: LiveEventFilter = {}, options: SubscribeOptions = {}): AsyncIterableIterator<LiveEvent> {
    return this.processor.hub.events(filter, options);
  }

  /** The same as an rxjs Observable (for Nest SSE controllers). */
  events$(filter: LiveEventFilter = {}): Observable<LiveEvent> {
    return this.processor.hub.events$(filter);
  }

  /**
   * Everything up to this instant has been processed and written to the sinks: persist it
   * and pass it as `resumeFrom` after a restart. It never passes a gap still being filled,
   * nor (after a restart) the resume point before `catchUp()` has finished.
   */
  watermark(): number {
    const bounds = [this.processor.watermark()];
    const gap = this.manager.unfilledSince();
    if (gap !== undefined) bounds.push(gap - 1);
    if (this.resumeAt !== undefined && !this.caughtUp) bounds.push(this.resumeAt);
    return Math.min(...bounds);
  }

  /** Participant states of a followed conversation, as the state machine has them. */
  participants(conversationId: string): ParticipantStatus[] | undefined {
    return this.processor.tracker(conversationId)?.statuses();
  }

  /** Resolves when every snapshot delivered so far has been processed. */
  async idle(): Promise<void> {
    await this.processor.drain();
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
    await this.processor.drain();
  }

  /** Stops: the channels close, subscriptions end, pending sink retries give up. */
  async close(): Promise<void> {
    if (this.stop.signal.aborted) return;
    this.stop.abort(new LiveEventsError(LiveEventsErrorCode.Closed, 'Live events were stopped.'));
    this.manager.off('notification', this.onNotification);
    this.manager.off('backfill', this.onBackfill);
    this.manager.off('channel', this.onChannel);
    await this.manager.close();
    await Promise.allSettled([...this.tasks, this.slaLoopTask, this.checkpointLoopTask]);
    await this.saveWatermark();
    this.processor.close();
  }

  /** Writes the current watermark to the checkpoint (if one is configured). */
  async saveWatermark(): Promise<void> {
    if (this.checkpoint) await this.checkpoint.save(this.watermark());
  }

  private async checkpointLoop(checkpoint: LiveEventsCheckpoint): Promise<void> {
    for (;;) {
      try {
        await this.sleep(this.checkpointIntervalMs, this.stop.signal);
      } catch {
        return;
      }
      try {
        await checkpoint.save(this.watermark());
      } catch (error) {
        this.logger.warn?.('Saving the live events watermark failed', { error: (error as Error).message });
      }
    }
  }

  private async slaLoop(): Promise<void> {
    for (;;) {
      try {
        await this.sleep(this.slaIntervalMs, this.stop.signal);
      } catch {
        return;
      }
      try {
        await this.processor.checkSla();
      } catch (error) {
        if (this.stop.signal.aborted) return;
        this.logger.warn?.('Receipt SLA check failed', { error: (error as Error).message });
      }
    }
  }

  /**
   * Keeps a task until it settles (`idle`, `close` wait for it) and logs its failure once.
   * Snapshots merged into one batch share its promise: it is tracked once, so a backlog
   * costs nothing per snapshot here either.
   */
  private track(task: Promise<unknown>): void {
    if (this.tasks.has(task)) return;
    this.tasks.add(task);
    task
      .catch((error) => {
        if (!this.stop.signal.aborted) this.logger.error?.('Live event processing failed', { error: (error as Error).message });
      })
      .finally(() => this.tasks.delete(task));
  }

  private assertRunning(): void {
    if (this.stop.signal.aborted) throw new LiveEventsError(LiveEventsErrorCode.Closed, 'Live events were stopped; create a new LiveEvents.');
  }
}

function topicsOf(request: FollowRequest): string[] {
  return [...(request.queueIds ?? []).map(queueConversationsTopic), ...(request.userIds ?? []).map(userConversationsTopic)];
}

function gapEvent(report: BackfillReport, now: number): LiveEvent {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: `gap:${report.channelId ?? 'all'}:${report.from}-${report.to}`,
    type: 'gap.backfilled',
    queueIds: [],
    occurredAt: iso(report.finishedAt),
    observedAt: iso(now),
    origin: 'system',
    from: iso(report.from),
    to: iso(report.to),
    ...(report.channelId ? { channelId: report.channelId } : {}),
    conversations: report.backfilled,
    failed: report.failed,
  };
}

function channelEvent(event: ChannelEvent): LiveEvent {
  const at = new Date(event.at).toISOString();
  return {
    id: `channel:${event.channelId}:${event.type}:${event.at}`,
    type: 'stream.channel',
    queueIds: [],
    occurredAt: at,
    observedAt: at,
    origin: 'system',
    change: event.type,
    channelId: event.channelId,
    ...(event.previousChannelId ? { previousChannelId: event.previousChannelId } : {}),
    ...(event.reason ? { reason: event.reason } : {}),
  };
}
