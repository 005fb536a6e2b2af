import { EventEmitter, setMaxListeners } from 'node:events';
import { canonicalHash } from '@gcm/canonical-json';
import {
  GenesysValidationError,
  noopLogger,
  realSleep,
  systemClock,
  type Clock,
  type GenesysLogger,
  type RandomSource,
  type Sleep,
} from '@gcm/genesys-auth';
import { AsyncQueue } from '../guest/async-queue';
import type { MessageConversation } from '../models/conversation.model';
import { ChannelConnectError, ChannelLink, defaultWebSocketFactory, type ReceivedFrame, type WebSocketFactory } from './channel-link';
import { eventBodyConversationId, snapshotEnded, snapshotFromEventBody, snapshotFromMessageConversation, snapshotParties } from './conversation-snapshot';
import { AnalyticsGapFinder, type GapConversationFinder, type GapWindow } from './gap-finder';
import type { ConversationEventBody, ConversationNotification, NotificationChannel, TopicSubscriptionResult } from './notification.model';
import { assertTopicId, MAX_CHANNELS, MAX_TOPICS_PER_CHANNEL, parseConversationTopic, planTopicPlacement } from './notification-topics';
import { NotificationsApi, type NotificationsTransport } from './notifications-api';
import { NotificationsError, NotificationsErrorCode } from './notifications.error';
import { SnapshotMerger, type SnapshotMergerOptions } from './snapshot-merger';

export interface ChannelManagerOptions {
  /** The Genesys transport (REST: channels, subscriptions, the gap's analytics query). */
  transport: NotificationsTransport;
  /** Re-reads a conversation after a gap: a `MessagingClient`. Without it gaps are reported, not filled. */
  conversations?: { getMessageConversation(conversationId: string, options?: { signal?: AbortSignal }): Promise<MessageConversation> };
  /** Finds conversations that changed during a gap. Default: `AnalyticsGapFinder` on the transport; `false` re-reads only the conversations already being followed. */
  gapFinder?: GapConversationFinder | false;
  webSocketFactory?: WebSocketFactory;
  /** At most 1,000 (Genesys' limit). */
  maxTopicsPerChannel?: number;
  /** At most 20 (Genesys' limit per user and OAuth client). */
  maxChannels?: number;
  /** No frame (heartbeats come every 30 s) for this long → the socket is dead. Default 75 s. */
  heartbeatTimeoutMs?: number;
  /** No frame for this long → send a ping, whose pong proves the socket alive. Default 35 s. */
  pingAfterMs?: number;
  /** How often the watchdog looks at the channels. Default 5 s. */
  watchdogIntervalMs?: number;
  /** Roll a channel over to a new one this long before it expires. Default 10 min. */
  rolloverLeadMs?: number;
  /** Lifetime assumed when Genesys gives no `expires`. Default 24 h. */
  channelLifetimeMs?: number;
  /** How long a rollover waits for the old socket to close before dropping it. Default 10 s. */
  overlapTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Full-jitter backoff between reconnect attempts: `random · min(max, base · 2^(n-1))`. */
  reconnect?: { baseDelayMs?: number; maxDelayMs?: number };
  /** Conversations re-read at once after a gap. Default 4. */
  backfillConcurrency?: number;
  /**
   * A conversation that ended this long before a gap is still re-read after it: receipts
   * (a customer reading the last answer) keep coming after the participants have left.
   * Default 1 h.
   */
  endedGraceMs?: number;
  dedupe?: SnapshotMergerOptions;
  clock?: Clock;
  sleep?: Sleep;
  random?: RandomSource;
  logger?: GenesysLogger;
}

export interface SubscribeResult {
  /** One per distinct requested topic, in request order. */
  results: TopicSubscriptionResult[];
  permitted: string[];
  rejected: TopicSubscriptionResult[];
}

/**
 * `unsubscribed`: Genesys said the channel no longer delivers (`v2.system.no_longer_subscribed.{channelId}`
 * or `v2.system.token_revoked.{id}`); a fresh channel takes its topics over.
 */
export type ChannelEventType = 'opened' | 'dropped' | 'reconnected' | 'replaced' | 'rolled-over' | 'closing-notice' | 'unsubscribed' | 'closed';

export interface ChannelEvent {
  type: ChannelEventType;
  channelId: string;
  /** For `replaced` and `rolled-over`: the channel given up. */
  previousChannelId?: string;
  at: number;
  reason?: string;
}

export interface GapEvent extends GapWindow {
  channelId: string;
}

export interface BackfillReport {
  from: number;
  to: number;
  channelId?: string;
  /** Conversations looked at (found by the gap finder or already being followed). */
  candidates: number;
  /** Snapshots handed on. */
  backfilled: number;
  /** Not handed on: a live snapshot overtook the REST read, or the conversation is outside the topics. */
  skipped: number;
  /** Re-reads that failed (reported as `failure`). */
  failed: number;
  finishedAt: number;
}

export interface ManagerFailure {
  operation: 'connect' | 'reconnect' | 'rollover' | 'backfill' | 'frame';
  channelId?: string;
  error: Error;
}

export interface ChannelStatus {
  channelId?: string;
  state: SlotState;
  topics: number;
  expiresAt?: number;
  connectedAt?: number;
  lastFrameAt?: number;
}

export interface ChannelManagerEvents {
  notification: [ConversationNotification];
  channel: [ChannelEvent];
  gap: [GapEvent];
  backfill: [BackfillReport];
  failure: [ManagerFailure];
}

type SlotState = 'open' | 'reconnecting' | 'closed';

/** A share of the topics and the channel currently carrying it (replaced on reconnects and rollovers). */
interface Slot {
  index: number;
  topics: Set<string>;
  link: ChannelLink;
  state: SlotState;
  rolling: boolean;
  /** Set while a drop is not yet covered by a backfill: the last frame before it. */
  gapFrom?: number;
  /** Gaps not yet filled (dropped, or their backfill still running), by their start. */
  unfilled: Array<{ from: number }>;
}

const CONTROL_HEARTBEAT = 'channel.metadata';
const SOCKET_CLOSING = 'v2.system.socket_closing';
/** `v2.system.no_longer_subscribed.{channelId}`: the channel's subscriptions are gone (genesys-api.md §5). */
const NO_LONGER_SUBSCRIBED_PREFIX = 'v2.system.no_longer_subscribed';
/** `v2.system.token_revoked.{id}`: the token the channel was made with was revoked; the channel stops. */
const TOKEN_REVOKED_PREFIX = 'v2.system.token_revoked';

/** The topic is `prefix` itself or `prefix.{anything}`. */
function hasTopicPrefix(topicName: string, prefix: string): boolean {
  return topicName === prefix || topicName.startsWith(`${prefix}.`);
}

/**
 * The Notifications API, managed (genesys-api.md §5): topics are spread over channels
 * (≤ 1,000 per channel, ≤ 20 channels) created on demand, each topic judged on its own so
 * one Rejected topic never fails the rest. Every channel socket is watched (heartbeats,
 * pings), reconnected with full-jitter backoff when it drops, and rolled over to a fresh
 * channel before the 24 h expiry or at `v2.system.socket_closing`: the new channel is
 * subscribed and connected before the old one is closed, and what both delivered during
 * the overlap comes out once. The time a channel delivered nothing is a gap: the
 * conversations that changed in it are found (analytics details query) and re-read over
 * REST, so consumers get their current state even though the socket missed the events.
 *
 * Output: `notifications()` (AsyncIterable) or the `notification` event, one
 * `ConversationNotification` per conversation snapshot.
 */
export class NotificationChannelManager extends EventEmitter<ChannelManagerEvents> {
  readonly api: NotificationsApi;
  private readonly options: Required<
    Pick<
      ChannelManagerOptions,
      | 'maxTopicsPerChannel'
      | 'maxChannels'
      | 'heartbeatTimeoutMs'
      | 'pingAfterMs'
      | 'watchdogIntervalMs'
      | 'rolloverLeadMs'
      | 'channelLifetimeMs'
      | 'overlapTimeoutMs'
      | 'connectTimeoutMs'
      | 'backfillConcurrency'
      | 'endedGraceMs'
    >
  >;
  private readonly reconnectBase: number;
  private readonly reconnectMax: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: RandomSource;
  private readonly logger: GenesysLogger;
  private readonly webSocketFactory: WebSocketFactory;
  private readonly gapFinder?: GapConversationFinder;
  private readonly conversations?: ChannelManagerOptions['conversations'];
  private readonly merger: SnapshotMerger;
  private readonly slots: Slot[] = [];
  private readonly rejected = new Map<string, TopicSubscriptionResult>();
  /** Conversations seen (and when they ended, if they did): re-read after any gap even if analytics misses them. */
  private readonly following = new Map<string, { endedAt?: number }>();
  private readonly maxFollowing: number;
  private readonly stop = new AbortController();
  private readonly tasks = new Set<Promise<unknown>>();
  private operations: Promise<unknown> = Promise.resolve();
  private watchdogStarted = false;
  private nextSlotIndex = 0;

  constructor(options: ChannelManagerOptions) {
    super();
    const maxTopicsPerChannel = options.maxTopicsPerChannel ?? MAX_TOPICS_PER_CHANNEL;
    const maxChannels = options.maxChannels ?? MAX_CHANNELS;
    if (!Number.isInteger(maxTopicsPerChannel) || maxTopicsPerChannel < 1 || maxTopicsPerChannel > MAX_TOPICS_PER_CHANNEL) {
      throw new NotificationsError(NotificationsErrorCode.InvalidOptions, `maxTopicsPerChannel must be 1 to ${MAX_TOPICS_PER_CHANNEL}, got ${maxTopicsPerChannel}.`);
    }
    if (!Number.isInteger(maxChannels) || maxChannels < 1 || maxChannels > MAX_CHANNELS) {
      throw new NotificationsError(NotificationsErrorCode.InvalidOptions, `maxChannels must be 1 to ${MAX_CHANNELS}, got ${maxChannels}.`);
    }
    this.options = {
      maxTopicsPerChannel,
      maxChannels,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 75_000,
      pingAfterMs: options.pingAfterMs ?? 35_000,
      watchdogIntervalMs: options.watchdogIntervalMs ?? 5_000,
      rolloverLeadMs: options.rolloverLeadMs ?? 10 * 60_000,
      channelLifetimeMs: options.channelLifetimeMs ?? 24 * 3_600_000,
      overlapTimeoutMs: options.overlapTimeoutMs ?? 10_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
      backfillConcurrency: options.backfillConcurrency ?? 4,
      endedGraceMs: options.endedGraceMs ?? 3_600_000,
    };
    // every request and wait in flight listens to the one stop signal
    setMaxListeners(0, this.stop.signal);
    this.reconnectBase = options.reconnect?.baseDelayMs ?? 1_000;
    this.reconnectMax = options.reconnect?.maxDelayMs ?? 30_000;
    this.api = new NotificationsApi(options.transport);
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? noopLogger;
    this.webSocketFactory = options.webSocketFactory ?? defaultWebSocketFactory;
    this.conversations = options.conversations;
    this.gapFinder =
      options.gapFinder === false ? undefined : (options.gapFinder ?? new AnalyticsGapFinder({ transport: options.transport, endedGraceMs: this.options.endedGraceMs }));
    this.merger = new SnapshotMerger(options.dedupe);
    this.maxFollowing = options.dedupe?.maxConversations ?? 10_000;
  }

  // ── public API ───────────────────────────────────────────────────────────

  /**
   * Subscribes topics (already subscribed ones are answered from memory), creating
   * channels as needed. Resolves with the verdict on every topic; Rejected topics are not
   * subscribed and do not affect the others. Throws INVALID_TOPIC / TOO_MANY_TOPICS before
   * anything is sent.
   */
  subscribe(topics: readonly string[]): Promise<SubscribeResult> {
    return this.serialized(() => this.doSubscribe(topics));
  }

  /** Removes topics; a channel left with none is closed. */
  unsubscribe(topics: readonly string[]): Promise<void> {
    return this.serialized(() => this.doUnsubscribe(topics));
  }

  /** Every conversation snapshot from now on, as an AsyncIterable (break out to stop). */
  notifications(options: { signal?: AbortSignal } = {}): AsyncIterable<ConversationNotification> {
    const listener = (notification: ConversationNotification) => queue.push(notification);
    const detach = () => {
      this.off('notification', listener);
      this.stop.signal.removeEventListener('abort', onAbort);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const queue = new AsyncQueue<ConversationNotification>(detach);
    const onAbort = () => {
      detach();
      queue.end();
    };
    this.on('notification', listener);
    this.stop.signal.addEventListener('abort', onAbort, { once: true });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    return queue;
  }

  /**
   * Re-reads what changed in `[from, to]` on every subscribed topic (e.g. after a restart,
   * from the last processed instant) and hands the snapshots on with origin `backfill`.
   */
  backfill(from: number, to: number = this.clock.now()): Promise<BackfillReport> {
    return this.runBackfill({ from, to, ...this.parties(this.allTopics()) });
  }

  /** Rolls channels over now (all, or the one carrying `channelId`): ops, tests. */
  async rollover(channelId?: string): Promise<void> {
    const slots = this.slots.filter((slot) => channelId === undefined || slot.link.id === channelId);
    await Promise.all(slots.map((slot) => this.rolloverSlot(slot, 'requested')));
  }

  /** The channels and their state. */
  channels(): ChannelStatus[] {
    return this.slots.map((slot) => ({
      channelId: slot.link.id,
      state: slot.state,
      topics: slot.topics.size,
      expiresAt: slot.link.expiresAt,
      connectedAt: slot.link.openedAt || undefined,
      lastFrameAt: slot.link.lastFrameAt || undefined,
    }));
  }

  /**
   * The start of the earliest gap not yet filled (a socket down, or its backfill still
   * running), or undefined. Nothing from before it is known to have been delivered: a
   * consumer's resume point must not pass it.
   */
  unfilledSince(): number | undefined {
    const starts = this.slots.flatMap((slot) => slot.unfilled.map((entry) => entry.from));
    return starts.length > 0 ? Math.min(...starts) : undefined;
  }

  /** Topics currently subscribed (Permitted). */
  subscribedTopics(): string[] {
    return this.allTopics();
  }

  /** Closes every socket and stops all loops; streams end. The channels expire on their own. */
  async close(): Promise<void> {
    if (this.stop.signal.aborted) return;
    this.stop.abort(new NotificationsError(NotificationsErrorCode.Closed, 'The notification channel manager was closed.'));
    for (const slot of this.slots) {
      slot.state = 'closed';
      slot.link.close();
    }
    await Promise.allSettled([...this.tasks]);
    await Promise.all(this.slots.map((slot) => this.closedOrTimedOut(slot.link)));
    for (const slot of this.slots) slot.link.terminate();
    this.slots.length = 0;
  }

  // ── subscriptions ────────────────────────────────────────────────────────

  private async doSubscribe(requested: readonly string[]): Promise<SubscribeResult> {
    this.assertOpen();
    const topics = [...new Set(requested)];
    for (const topic of topics) assertTopicId(topic);
    const verdicts = new Map<string, TopicSubscriptionResult>();
    const subscribed = new Set(this.allTopics());
    const fresh = topics.filter((topic) => {
      if (subscribed.has(topic)) verdicts.set(topic, { id: topic, state: 'Permitted' });
      return !subscribed.has(topic);
    });

    const usable = this.slots.filter((slot) => slot.state === 'open' && !slot.rolling);
    const placement = planTopicPlacement(
      usable.map((slot) => slot.topics.size),
      fresh,
      { maxTopicsPerChannel: this.options.maxTopicsPerChannel, maxChannels: this.options.maxChannels - (this.slots.length - usable.length) },
    );
    for (const [i, additions] of placement.entries()) {
      if (additions.length === 0) continue;
      const slot = usable[i];
      if (slot) {
        const results = await this.subscribeIsolating(slot.link.id, additions);
        for (const result of results) {
          verdicts.set(result.id, result);
          if (result.state === 'Permitted') slot.topics.add(result.id);
        }
      } else {
        const { link, results } = await this.establish(additions);
        for (const result of results) verdicts.set(result.id, result);
        const permitted = results.filter((r) => r.state === 'Permitted').map((r) => r.id);
        if (permitted.length === 0) {
          // a channel with nothing to carry only uses up one of the 20
          link.close();
          continue;
        }
        const slot: Slot = { index: this.nextSlotIndex++, topics: new Set(permitted), link, state: 'open', rolling: false, unfilled: [] };
        this.slots.push(slot);
        this.emit('channel', { type: 'opened', channelId: link.id, at: this.clock.now() });
      }
    }
    for (const verdict of verdicts.values()) {
      if (verdict.state === 'Rejected') this.rejected.set(verdict.id, verdict);
      else this.rejected.delete(verdict.id);
    }
    this.startWatchdog();
    const results = topics.map((topic) => verdicts.get(topic) ?? { id: topic, state: 'Rejected' as const, rejectionReason: 'Genesys did not report on this topic.' });
    return {
      results,
      permitted: results.filter((r) => r.state === 'Permitted').map((r) => r.id),
      rejected: results.filter((r) => r.state === 'Rejected'),
    };
  }

  private async doUnsubscribe(requested: readonly string[]): Promise<void> {
    this.assertOpen();
    const removing = new Set(requested);
    for (const slot of [...this.slots]) {
      const remaining = [...slot.topics].filter((topic) => !removing.has(topic));
      if (remaining.length === slot.topics.size) continue;
      if (remaining.length === 0) {
        this.slots.splice(this.slots.indexOf(slot), 1);
        slot.state = 'closed';
        slot.link.close();
        this.merger.dropSourcesWithPrefix(`${slot.link.id}|`);
        await this.api.clearSubscriptions(slot.link.id).catch(() => undefined);
        this.emit('channel', { type: 'closed', channelId: slot.link.id, at: this.clock.now(), reason: 'no topics left' });
        continue;
      }
      slot.topics = new Set(remaining);
      if (slot.state === 'open') await this.api.subscribe(slot.link.id, remaining, 'replace', this.stop.signal);
    }
    for (const topic of removing) this.rejected.delete(topic);
  }

  /**
   * POST (add) the topics. With `ignoreErrors` Genesys judges each topic; should it refuse
   * a request as a whole anyway (400), the topics are split in halves until the refused
   * ones stand alone, so one bad topic never keeps the others out.
   */
  private async subscribeIsolating(channelId: string, topics: readonly string[]): Promise<TopicSubscriptionResult[]> {
    try {
      const answer = await this.api.subscribe(channelId, topics, 'add', this.stop.signal);
      return pickResults(answer, topics);
    } catch (error) {
      if (!(error instanceof GenesysValidationError)) throw error;
      if (topics.length === 1) return [{ id: topics[0], state: 'Rejected', rejectionReason: error.message }];
      const half = Math.ceil(topics.length / 2);
      return [...(await this.subscribeIsolating(channelId, topics.slice(0, half))), ...(await this.subscribeIsolating(channelId, topics.slice(half)))];
    }
  }

  /**
   * A new channel carrying `topics`: created, its socket opened (frames buffered when
   * `buffered`), then subscribed, so nothing published after the subscription is missed.
   */
  private async establish(topics: readonly string[], buffered = false): Promise<{ link: ChannelLink; results: TopicSubscriptionResult[]; subscribedAt: number }> {
    const channel = await this.api.createChannel(this.stop.signal);
    const link = await this.connect(channel, buffered);
    try {
      const results = await this.subscribeNew(link.id, topics);
      return { link, results, subscribedAt: this.clock.now() };
    } catch (error) {
      link.close();
      throw error;
    }
  }

  private async subscribeNew(channelId: string, topics: readonly string[]): Promise<TopicSubscriptionResult[]> {
    try {
      return pickResults(await this.api.subscribe(channelId, topics, 'replace', this.stop.signal), topics);
    } catch (error) {
      if (!(error instanceof GenesysValidationError) || topics.length === 1) {
        if (error instanceof GenesysValidationError) return [{ id: topics[0], state: 'Rejected', rejectionReason: error.message }];
        throw error;
      }
      return this.subscribeIsolating(channelId, topics);
    }
  }

  private async connect(channel: NotificationChannel, buffered: boolean): Promise<ChannelLink> {
    const link = new ChannelLink(channel, this.clock.now(), this.options.channelLifetimeMs, {
      onFrame: (l, received) => this.onFrame(l, received),
      onClose: (l, code) => this.onLinkClosed(l, code),
      now: () => this.clock.now(),
    });
    if (buffered) link.buffer = [];
    await link.open(this.webSocketFactory, this.options.connectTimeoutMs, this.sleep);
    return link;
  }

  // ── frames ───────────────────────────────────────────────────────────────

  private onFrame(link: ChannelLink, { frame, receivedAt }: ReceivedFrame): void {
    const slot = this.slotOf(link);
    if (frame.topicName === CONTROL_HEARTBEAT) return;
    if (frame.topicName === SOCKET_CLOSING) {
      this.emit('channel', { type: 'closing-notice', channelId: link.id, at: receivedAt });
      if (slot && slot.link === link) this.track(this.rolloverSlot(slot, 'socket_closing'));
      return;
    }
    const unsubscribed = hasTopicPrefix(frame.topicName, NO_LONGER_SUBSCRIBED_PREFIX)
      ? 'no_longer_subscribed'
      : hasTopicPrefix(frame.topicName, TOKEN_REVOKED_PREFIX)
        ? 'token_revoked'
        : undefined;
    if (unsubscribed) {
      // the channel delivers nothing more: like the official streaming client, give it up for a
      // fresh channel with every topic, and re-read what changed from this moment on (a gap)
      const named = (frame.eventBody as { channelId?: unknown } | undefined)?.channelId;
      if (typeof named === 'string' && named !== link.id) return;
      this.emit('channel', { type: 'unsubscribed', channelId: link.id, at: receivedAt, reason: unsubscribed });
      this.logger.warn?.('Notification channel no longer delivers; moving its topics to a new channel', { channelId: link.id, reason: unsubscribed });
      if (slot && slot.link === link && slot.state === 'open') {
        this.openGap(slot, receivedAt);
        this.track(this.rolloverSlot(slot, unsubscribed));
      }
      return;
    }
    if (!parseConversationTopic(frame.topicName)) return;
    const conversationId = eventBodyConversationId(frame.eventBody);
    if (!conversationId) return;
    let fingerprint: string;
    try {
      fingerprint = canonicalHash(frame.eventBody);
    } catch (error) {
      this.fail('frame', error, link.id);
      return;
    }
    if (!this.merger.accept(conversationId, `${link.id}|${frame.topicName}`, link.openedAt, fingerprint, receivedAt)) return;
    const snapshot = snapshotFromEventBody(frame.eventBody as ConversationEventBody);
    this.follow(conversationId, snapshotEnded(snapshot), receivedAt);
    this.emit('notification', {
      conversationId,
      origin: 'live',
      snapshot,
      topic: frame.topicName,
      channelId: link.id,
      receivedAt,
      ...(typeof frame.metadata?.CorrelationId === 'string' ? { correlationId: frame.metadata.CorrelationId } : {}),
    });
  }

  private onLinkClosed(link: ChannelLink, code: number): void {
    if (link.closedByUs || this.stop.signal.aborted) return;
    const slot = this.slotOf(link);
    if (!slot || slot.link !== link) return;
    const now = this.clock.now();
    if (slot.gapFrom === undefined) {
      slot.gapFrom = link.lastFrameAt || link.openedAt || now;
      slot.unfilled.push({ from: slot.gapFrom });
    }
    this.emit('channel', { type: 'dropped', channelId: link.id, at: now, reason: `socket closed (${code})` });
    this.logger.warn?.('Notification channel socket dropped', { channelId: link.id, code });
    // a rollover under way brings its own channel, and its promotion fills the gap
    if (slot.rolling) return;
    slot.state = 'reconnecting';
    this.track(this.reconnect(slot));
  }

  // ── reconnect and rollover ───────────────────────────────────────────────

  private async reconnect(slot: Slot): Promise<void> {
    for (let attempt = 1; slot.state === 'reconnecting' && !this.stop.signal.aborted; attempt++) {
      try {
        await this.sleep(this.backoff(attempt), this.stop.signal);
      } catch {
        return;
      }
      const previous = slot.link;
      try {
        let link: ChannelLink;
        let subscribedAt: number;
        const reusable = previous.expiresAt - this.clock.now() > this.options.rolloverLeadMs && (await this.api.channelExists(previous.id, this.stop.signal));
        if (reusable) {
          try {
            link = await this.connect(previous.channel, false);
          } catch (error) {
            if (!(error instanceof ChannelConnectError && error.gone)) throw error;
            link = await this.replaceChannel(slot);
          }
          // Genesys keeps the subscriptions of a channel, but say them again in case it lost them
          const results = pickResults(await this.api.subscribe(link.id, [...slot.topics], 'replace', this.stop.signal), [...slot.topics]);
          this.applyVerdicts(slot, results);
          subscribedAt = this.clock.now();
        } else {
          link = await this.replaceChannel(slot);
          subscribedAt = this.clock.now();
        }
        if (this.stop.signal.aborted) {
          link.close();
          return;
        }
        slot.link = link;
        slot.state = 'open';
        if (link.id !== previous.id) this.merger.dropSourcesWithPrefix(`${previous.id}|`);
        this.emit('channel', {
          type: link.id === previous.id ? 'reconnected' : 'replaced',
          channelId: link.id,
          previousChannelId: link.id === previous.id ? undefined : previous.id,
          at: this.clock.now(),
        });
        this.fillGap(slot, subscribedAt);
        return;
      } catch (error) {
        if (this.stop.signal.aborted) return;
        this.fail('reconnect', error, previous.id);
      }
    }
  }

  /** A new channel for a slot whose channel is gone: created, connected, subscribed with the slot's topics. */
  private async replaceChannel(slot: Slot): Promise<ChannelLink> {
    const { link, results } = await this.establish([...slot.topics]);
    this.applyVerdicts(slot, results);
    return link;
  }

  /**
   * Replaces a slot's channel with a fresh one before it expires. The new channel is
   * subscribed and connected while the old one still delivers; its frames are held back
   * until the old socket has closed (everything the old one sent has then arrived), then
   * released through the merger, which drops what both delivered.
   */
  private async rolloverSlot(slot: Slot, reason: string): Promise<void> {
    if (slot.rolling || slot.state === 'closed' || this.stop.signal.aborted) return;
    slot.rolling = true;
    const old = slot.link;
    let next: ChannelLink | undefined;
    try {
      const established = await this.establish([...slot.topics], true);
      next = established.link;
      this.applyVerdicts(slot, established.results);
      // the slot may have been closed while the new channel was being set up
      if (this.stop.signal.aborted || (slot.state as SlotState) === 'closed') {
        next.close();
        return;
      }
      if (next.closed) throw new Error(`the socket of the new channel ${next.id} closed before the rollover finished`);
      slot.link = next;
      old.close();
      await this.closedOrTimedOut(old);
      if (!old.closed) old.terminate();
      const held = next.buffer ?? [];
      next.buffer = undefined;
      for (const received of held) this.onFrame(next, received);
      this.merger.dropSourcesWithPrefix(`${old.id}|`);
      const dropped = slot.state === 'reconnecting' || slot.gapFrom !== undefined;
      slot.state = 'open';
      this.emit('channel', { type: 'rolled-over', channelId: next.id, previousChannelId: old.id, at: this.clock.now(), reason });
      // the old channel is ours alone: stop it publishing to nobody
      this.track(this.api.clearSubscriptions(old.id).catch(() => undefined));
      if (next.closed) {
        // the new socket dropped during the overlap: its close was held back for this moment
        this.openGap(slot, next.lastFrameAt);
        slot.state = 'reconnecting';
        this.track(this.reconnect(slot));
        return;
      }
      if (dropped) this.fillGap(slot, established.subscribedAt);
    } catch (error) {
      if (next && slot.link !== next) next.close();
      if (this.stop.signal.aborted) return;
      this.fail('rollover', error, old.id);
      if (slot.gapFrom !== undefined && slot.state === 'open' && old.closed) {
        // the old socket dropped while we were rolling over and the new channel failed: reconnect
        slot.state = 'reconnecting';
        this.track(this.reconnect(slot));
      }
    } finally {
      slot.rolling = false;
    }
  }

  private applyVerdicts(slot: Slot, results: readonly TopicSubscriptionResult[]): void {
    for (const result of results) {
      if (result.state === 'Rejected') {
        slot.topics.delete(result.id);
        this.rejected.set(result.id, result);
      }
    }
  }

  // ── gaps ─────────────────────────────────────────────────────────────────

  private openGap(slot: Slot, from: number): void {
    if (slot.gapFrom !== undefined) return;
    slot.gapFrom = from;
    slot.unfilled.push({ from });
  }

  private fillGap(slot: Slot, to: number): void {
    const from = slot.gapFrom;
    slot.gapFrom = undefined;
    if (from === undefined) return;
    const covered = slot.unfilled.splice(0);
    const gap: GapEvent = { channelId: slot.link.id, from, to, ...this.parties([...slot.topics]) };
    this.emit('gap', gap);
    // the gap stays open (for `unfilledSince`) until its backfill has handed everything on
    slot.unfilled.unshift(...covered);
    const backfill = this.runBackfill(gap, slot.link.id).finally(() => {
      slot.unfilled = slot.unfilled.filter((entry) => !covered.includes(entry));
    });
    this.track(backfill);
  }

  private async runBackfill(gap: GapWindow, channelId?: string): Promise<BackfillReport> {
    const report: BackfillReport = { from: gap.from, to: gap.to, channelId, candidates: 0, backfilled: 0, skipped: 0, failed: 0, finishedAt: 0 };
    const reader = this.conversations;
    if (!reader) {
      report.finishedAt = this.clock.now();
      this.emit('backfill', report);
      return report;
    }
    const candidates = new Set<string>();
    for (const [id, { endedAt }] of this.following) {
      if (endedAt === undefined || gap.from - endedAt <= this.options.endedGraceMs) candidates.add(id);
    }
    if (this.gapFinder) {
      try {
        for (const id of await this.gapFinder.conversationsChangedDuring(gap, this.stop.signal)) candidates.add(id);
      } catch (error) {
        this.fail('backfill', error, channelId);
      }
    }
    report.candidates = candidates.size;
    const queueIds = new Set(gap.queueIds);
    const userIds = new Set(gap.userIds);
    const ids = [...candidates];
    const worker = async () => {
      for (let id = ids.shift(); id !== undefined && !this.stop.signal.aborted; id = ids.shift()) {
        const sequence = this.merger.liveSequence(id);
        let conversation: MessageConversation;
        try {
          conversation = await reader.getMessageConversation(id, { signal: this.stop.signal });
        } catch (error) {
          if (this.stop.signal.aborted) return;
          report.failed++;
          this.fail('backfill', error, channelId);
          continue;
        }
        const snapshot = snapshotFromMessageConversation(conversation);
        const parties = snapshotParties(snapshot);
        const relevant = parties.queueIds.some((q) => queueIds.has(q)) || parties.userIds.some((u) => userIds.has(u));
        // a live snapshot taken meanwhile is whole and newer than this read
        if (!relevant || this.merger.liveSequence(id) !== sequence) {
          report.skipped++;
          continue;
        }
        const receivedAt = this.clock.now();
        this.follow(id, snapshotEnded(snapshot), receivedAt);
        report.backfilled++;
        this.emit('notification', { conversationId: id, origin: 'backfill', snapshot, receivedAt });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.backfillConcurrency) }, worker));
    report.finishedAt = this.clock.now();
    this.emit('backfill', report);
    return report;
  }

  private follow(conversationId: string, ended: boolean, at: number): void {
    const previous = this.following.get(conversationId);
    this.following.delete(conversationId);
    this.following.set(conversationId, ended ? { endedAt: previous?.endedAt ?? at } : {});
    if (this.following.size > this.maxFollowing) this.following.delete(this.following.keys().next().value as string);
  }

  // ── watchdog ─────────────────────────────────────────────────────────────

  private startWatchdog(): void {
    if (this.watchdogStarted) return;
    this.watchdogStarted = true;
    this.track(
      (async () => {
        for (;;) {
          try {
            await this.sleep(this.options.watchdogIntervalMs, this.stop.signal);
          } catch {
            return;
          }
          this.inspect();
        }
      })(),
    );
  }

  /** One watchdog round: dead sockets dropped, idle ones pinged, expiring channels rolled over. */
  private inspect(): void {
    const now = this.clock.now();
    for (const slot of this.slots) {
      if (slot.state !== 'open') continue;
      const link = slot.link;
      if (link.closed && !slot.rolling) {
        // a close that no handler saw through (e.g. during a rollover that then failed)
        this.openGap(slot, link.lastFrameAt);
        slot.state = 'reconnecting';
        this.track(this.reconnect(slot));
        continue;
      }
      const idle = now - link.lastFrameAt;
      if (idle >= this.options.heartbeatTimeoutMs) {
        this.logger.warn?.('Notification channel silent past the heartbeat timeout; reconnecting', { channelId: link.id, idleMs: idle });
        // without a close frame: the close handler then sees a drop and reconnects
        link.terminate();
        continue;
      }
      if (idle >= this.options.pingAfterMs && now - link.lastPingAt >= this.options.pingAfterMs) link.ping();
      if (!slot.rolling && now >= link.expiresAt - this.options.rolloverLeadMs) this.track(this.rolloverSlot(slot, 'expiry'));
    }
  }

  // ── helpers ──────────────────────────────────────────────────────────────

  /** Waits for a socket's close, at most `overlapTimeoutMs`; the timer is cancelled either way. */
  private async closedOrTimedOut(link: ChannelLink): Promise<void> {
    const timer = new AbortController();
    try {
      await Promise.race([link.whenClosed(), this.sleep(this.options.overlapTimeoutMs, timer.signal).catch(() => undefined)]);
    } finally {
      timer.abort();
    }
  }

  private backoff(attempt: number): number {
    return Math.floor(this.random() * Math.min(this.reconnectMax, this.reconnectBase * 2 ** (attempt - 1)));
  }

  private slotOf(link: ChannelLink): Slot | undefined {
    return this.slots.find((slot) => slot.link === link) ?? this.slots.find((slot) => slot.link.id === link.id);
  }

  private allTopics(): string[] {
    return this.slots.flatMap((slot) => [...slot.topics]);
  }

  private parties(topics: readonly string[]): { queueIds: string[]; userIds: string[] } {
    const queueIds: string[] = [];
    const userIds: string[] = [];
    for (const topic of topics) {
      const parsed = parseConversationTopic(topic);
      if (parsed?.kind === 'queue') queueIds.push(parsed.entityId);
      else if (parsed?.kind === 'user') userIds.push(parsed.entityId);
    }
    return { queueIds: [...new Set(queueIds)], userIds: [...new Set(userIds)] };
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.operations.then(operation, operation);
    this.operations = run.catch(() => undefined);
    return run;
  }

  private track(task: Promise<unknown>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task)).catch(() => undefined);
  }

  private fail(operation: ManagerFailure['operation'], error: unknown, channelId?: string): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.logger.warn?.(`Notification channel ${operation} failed`, { channelId, error: failure.message });
    this.emit('failure', { operation, channelId, error: failure });
  }

  private assertOpen(): void {
    if (this.stop.signal.aborted) throw new NotificationsError(NotificationsErrorCode.Closed, 'The notification channel manager was closed; create a new one.');
  }
}

/** The answer's verdicts on the requested topics (Genesys also lists the channel's other topics). */
function pickResults(answer: readonly TopicSubscriptionResult[], topics: readonly string[]): TopicSubscriptionResult[] {
  const byId = new Map(answer.map((result) => [result.id, result]));
  return topics.map(
    (topic) => byId.get(topic) ?? { id: topic, state: 'Rejected', rejectionReason: 'Genesys did not list this topic among the channel subscriptions.' },
  );
}
