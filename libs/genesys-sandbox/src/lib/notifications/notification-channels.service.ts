import type { TrafficRecorder } from '../record/traffic-recorder';
import { isoString } from '../clock/sandbox-clock';
import { SandboxTimers } from '../clock/sandbox-timers';
import { ConversationChange, SandboxWorld } from '../data/sandbox-world';
import { ApiErrors } from '../errors/api-error';
import { FaultInjector } from '../faults/fault-injector';
import { renderConversationEvent, renderMessageConversationEvent } from '../render/conversation-event.mapper';
import type { ResolvedNotificationsOptions } from '../sandbox-options';
import { SandboxStats } from '../stats/sandbox-stats';
import { expandTopic, judgeTopic, MAX_TOPICS_PER_CHANNEL, ParsedTopic } from './notification-topics';

/** The socket of a channel, as the service sees it. */
export interface ChannelSocket {
  send(text: string): void;
  /** Clean close with a close frame. */
  close(code: number, reason: string): void;
  /** Drop without a close frame. */
  terminate(): void;
}

export interface NotificationChannel {
  id: string;
  clientId: string;
  /** The access token that created it (for `includechannels=token`); never shown. */
  createdWith: string;
  createdAt: number;
  expiresAt: number;
  /** Bumped on every use; the least recently used channel is evicted first. */
  lastUsed: number;
  topics: Map<string, ParsedTopic>;
  socket?: ChannelSocket;
  stopHeartbeat?: () => void;
  cancelTimers: Array<() => void>;
}

export interface ChannelTopicResult {
  id: string;
  state: 'Permitted' | 'Rejected';
  rejectionReason?: string;
  missingPermissions?: string[];
}

/** What admin routes show about a channel. */
export interface ChannelSummary {
  id: string;
  connectUri: string;
  expires: string;
  connected: boolean;
  topics: string[];
}

export interface NotificationChannelsDeps {
  world: SandboxWorld;
  timers: SandboxTimers;
  stats: SandboxStats;
  faults: FaultInjector;
  options: ResolvedNotificationsOptions;
  apiBaseUrl: () => string;
  recorder?: TrafficRecorder;
}

const HEARTBEAT = JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });
const PONG = JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } });

/**
 * The Notifications API: channels per OAuth client (LRU eviction past the limit), topic
 * subscriptions, and the channel socket (one per channel) with heartbeats, the closing notice
 * before expiry and conversation snapshots pushed on every world change.
 */
export class NotificationChannelsService {
  private readonly channels = new Map<string, NotificationChannel>();
  private useCounter = 0;

  constructor(private readonly deps: NotificationChannelsDeps) {
    deps.world.on('conversation.changed', (change) => this.onConversationChanged(change));
  }

  // ---- channels --------------------------------------------------------------------

  create(clientId: string, token: string): NotificationChannel {
    const { world, timers, options } = this.deps;
    const owned = [...this.channels.values()].filter((c) => c.clientId === clientId);
    if (owned.length >= options.channelsPerClient) {
      const lru = owned.reduce((a, b) => (b.lastUsed < a.lastUsed ? b : a));
      this.remove(lru, 'The channel was evicted: its client created more channels than allowed.');
    }
    const now = world.clock.now();
    const channel: NotificationChannel = {
      id: `streaming-0-${world.ids.hex32('notification-channel')}`,
      clientId,
      createdWith: token,
      createdAt: now,
      expiresAt: now + options.channelLifetimeMs,
      lastUsed: ++this.useCounter,
      topics: new Map(),
      cancelTimers: [],
    };
    if (options.closingNoticeMs > 0) {
      channel.cancelTimers.push(
        timers.at(channel.expiresAt - options.closingNoticeMs, () =>
          this.sendTo(channel, JSON.stringify({ topicName: 'v2.system.socket_closing', eventBody: { message: 'The channel expires soon; create a new channel and reconnect.' } })),
        ),
      );
    }
    channel.cancelTimers.push(timers.at(channel.expiresAt, () => this.remove(channel, 'The channel expired.')));
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** The caller's channel, or 404; every lookup counts as a use. */
  require(channelId: string, clientId: string): NotificationChannel {
    const channel = this.channels.get(channelId);
    if (!channel || channel.clientId !== clientId) throw ApiErrors.notFound('channelId', channelId);
    channel.lastUsed = ++this.useCounter;
    return channel;
  }

  /** Channels of a client, or only those made with one token. */
  list(clientId: string, token?: string): NotificationChannel[] {
    return [...this.channels.values()].filter((c) => c.clientId === clientId && (token === undefined || c.createdWith === token));
  }

  connectUri(channel: NotificationChannel): string {
    return `${this.deps.apiBaseUrl().replace(/^http/, 'ws')}/channels/${channel.id}`;
  }

  render(channel: NotificationChannel): { id: string; connectUri: string; expires: string } {
    return { id: channel.id, connectUri: this.connectUri(channel), expires: isoString(channel.expiresAt) };
  }

  summaries(): ChannelSummary[] {
    return [...this.channels.values()].map((c) => ({
      ...this.render(c),
      connected: c.socket !== undefined,
      topics: [...c.topics.keys()],
    }));
  }

  // ---- subscriptions ---------------------------------------------------------------

  /**
   * PUT (replace) or POST (add): judges every topic (expanding `prefix?a&b`), subscribes the
   * permitted ones, and answers the channel's topics plus this request's rejections. A
   * request that would take the channel over 1,000 topics fails as a whole.
   */
  subscribe(channel: NotificationChannel, requested: string[], mode: 'replace' | 'add'): ChannelTopicResult[] {
    const expanded = [...new Set(requested.flatMap(expandTopic))];
    // the limit counts what was asked for, valid or not: a request is refused before any topic is judged
    const count = new Set([...(mode === 'add' ? channel.topics.keys() : []), ...expanded]).size;
    if (count > MAX_TOPICS_PER_CHANNEL) {
      throw ApiErrors.badRequest(
        'A channel can have at most {max} topics; this request would leave {count}.',
        { max: String(MAX_TOPICS_PER_CHANNEL), count: String(count) },
        'topics',
      );
    }
    const verdicts = expanded.map((id) => judgeTopic(id, this.deps.world.catalog));
    const next = new Map(mode === 'replace' ? [] : channel.topics);
    for (const v of verdicts) if (v.state === 'Permitted') next.set(v.topic.id, v.topic);
    channel.topics = next;
    const rejected: ChannelTopicResult[] = verdicts.flatMap((v) =>
      v.state === 'Rejected' ? [{ id: v.id, state: 'Rejected' as const, rejectionReason: v.rejectionReason, missingPermissions: [] }] : [],
    );
    return [...this.topicsOf(channel), ...rejected];
  }

  topicsOf(channel: NotificationChannel): ChannelTopicResult[] {
    return [...channel.topics.keys()].map((id) => ({ id, state: 'Permitted' as const }));
  }

  clearSubscriptions(channel: NotificationChannel): void {
    channel.topics = new Map();
  }

  // ---- sockets ---------------------------------------------------------------------

  /** Whether a socket may connect to this channel id (it exists and has not expired). */
  exists(channelId: string): boolean {
    return this.channels.has(channelId);
  }

  /** A socket connected: it replaces (closes) any earlier socket of the channel and starts heartbeats. */
  attach(channelId: string, socket: ChannelSocket): boolean {
    const channel = this.channels.get(channelId);
    if (!channel) return false;
    channel.lastUsed = ++this.useCounter;
    if (channel.socket) {
      const previous = channel.socket;
      this.detach(channel, previous);
      previous.close(1000, 'Another socket connected to this channel');
    }
    channel.socket = socket;
    channel.stopHeartbeat = this.deps.timers.every(this.deps.options.heartbeatIntervalMs, () => this.sendTo(channel, HEARTBEAT));
    this.deps.stats.recordSocket('notifications', 'connections');
    return true;
  }

  /** The socket closed or was dropped. */
  detached(channelId: string, socket: ChannelSocket): void {
    const channel = this.channels.get(channelId);
    if (channel) this.detach(channel, socket);
  }

  /** A client frame: `{"message":"ping"}` is answered with a pong; anything else is ignored. */
  received(channelId: string, text: string): void {
    this.deps.stats.recordSocket('notifications', 'framesIn');
    const channel = this.channels.get(channelId);
    if (!channel) return;
    try {
      const frame = JSON.parse(text) as { message?: unknown };
      if (frame?.message === 'ping') this.sendTo(channel, PONG);
    } catch {
      // the real service ignores what it does not understand
    }
  }

  /**
   * Ends a channel's subscriptions the way Genesys does when it loses them: the topics are
   * cleared and the socket gets `v2.system.no_longer_subscribed.{channelId}` (or, for
   * `token_revoked`, `v2.system.token_revoked.{channelId}`) with `eventBody: {channelId}`; the
   * channel itself stays. What triggers them in a real org is not documented, so the sandbox
   * sends them only on demand. Returns how many channels were told.
   */
  endSubscriptions(channelId?: string, reason: 'no_longer_subscribed' | 'token_revoked' = 'no_longer_subscribed'): number {
    let told = 0;
    for (const channel of this.channels.values()) {
      if (channelId !== undefined && channel.id !== channelId) continue;
      channel.topics = new Map();
      this.sendTo(channel, JSON.stringify({ topicName: `v2.system.${reason}.${channel.id}`, eventBody: { channelId: channel.id } }));
      told++;
    }
    return told;
  }

  /** Drops sockets without a close frame (all, or one channel's); returns how many. */
  drop(channelId?: string): number {
    let dropped = 0;
    for (const channel of this.channels.values()) {
      if (channelId !== undefined && channel.id !== channelId) continue;
      const socket = channel.socket;
      if (!socket) continue;
      this.detach(channel, socket);
      socket.terminate();
      dropped++;
    }
    return dropped;
  }

  close(): void {
    for (const channel of [...this.channels.values()]) {
      for (const cancel of channel.cancelTimers) cancel();
      const socket = channel.socket;
      if (socket) {
        this.detach(channel, socket);
        socket.terminate();
      }
    }
    this.channels.clear();
  }

  // ---- internals -------------------------------------------------------------------

  private detach(channel: NotificationChannel, socket: ChannelSocket): void {
    if (channel.socket !== socket) return;
    channel.socket = undefined;
    channel.stopHeartbeat?.();
    channel.stopHeartbeat = undefined;
  }

  private remove(channel: NotificationChannel, reason: string): void {
    for (const cancel of channel.cancelTimers) cancel();
    const socket = channel.socket;
    if (socket) {
      this.detach(channel, socket);
      socket.close(1000, reason);
    }
    this.channels.delete(channel.id);
  }

  /** Sends one frame, unless the drop fault takes the socket down instead. */
  private sendTo(channel: NotificationChannel, text: string): void {
    const socket = channel.socket;
    if (!socket) return;
    if (this.deps.faults.notificationSocketDrops()) {
      this.deps.stats.recordFault('notificationDrop');
      this.detach(channel, socket);
      socket.terminate();
      return;
    }
    this.deps.stats.recordSocket('notifications', 'framesOut');
    if (this.deps.recorder) {
      const frame = JSON.parse(text) as { topicName: string };
      this.deps.recorder.record({ kind: 'notification', topic: frame.topicName, body: frame });
    }
    socket.send(text);
  }

  private onConversationChanged(change: ConversationChange): void {
    const listening = [...this.channels.values()].filter((c) => c.socket && c.topics.size > 0);
    if (listening.length === 0) return;
    const conversation = this.deps.world.conversation(change.conversationId);
    if (!conversation) return;
    const queues = new Set(conversation.participants.flatMap((p) => (p.queueId ? [p.queueId] : [])));
    const users = new Set(conversation.participants.flatMap((p) => (p.userId ? [p.userId] : [])));
    // each topic family has its own model: rendered once per change, when a channel wants it
    let messagesBody: Record<string, unknown> | undefined;
    let conversationsBody: Record<string, unknown> | undefined;
    for (const channel of listening) {
      for (const topic of channel.topics.values()) {
        const involved = topic.kind === 'queue' ? queues.has(topic.entityId) : users.has(topic.entityId);
        if (!involved) continue;
        const eventBody = topic.messagesOnly
          ? (messagesBody ??= renderMessageConversationEvent(this.deps.apiBaseUrl(), this.deps.world.catalog, conversation))
          : (conversationsBody ??= renderConversationEvent(this.deps.apiBaseUrl(), conversation));
        this.sendTo(
          channel,
          JSON.stringify({
            topicName: topic.id,
            version: '2',
            eventBody,
            metadata: { CorrelationId: this.deps.world.ids.uuid('notification-correlation') },
          }),
        );
      }
    }
  }
}
