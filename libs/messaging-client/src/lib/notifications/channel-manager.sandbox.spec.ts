import WebSocket from 'ws';
import type { GenesysTransport } from '@gcm/genesys-auth';
import { NotificationChannelManager, type BackfillReport, type ChannelEvent, type ChannelManagerOptions } from './channel-manager.service';
import type { ConversationNotification } from './notification.model';
import { queueConversationsTopic, userConversationsTopic } from './notification-topics';
import { NotificationsErrorCode } from './notifications.error';
import { advanceInSteps, settle, startNotificationsWorld, until, type NotificationsWorld } from './test/sandbox-harness';

/**
 * The channel manager against the sandbox's Notifications API over real HTTP and real
 * sockets. One ManualClock drives the sandbox (heartbeats, closing notice, expiry) and the
 * manager (watchdog, reconnect backoff, rollover); no test waits on a real timer.
 */
describe('NotificationChannelManager against the sandbox', () => {
  jest.setTimeout(15_000);
  let world: NotificationsWorld;
  let manager: NotificationChannelManager;
  let seen: ConversationNotification[];
  let channelEvents: ChannelEvent[];
  let backfills: BackfillReport[];
  let failures: string[];
  let customer = 0;

  async function setUp(
    sandboxOptions: Parameters<typeof startNotificationsWorld>[0] = {},
    managerOptions: Partial<ChannelManagerOptions> | ((w: NotificationsWorld) => Partial<ChannelManagerOptions>) = {},
  ) {
    world = await startNotificationsWorld(sandboxOptions);
    changeLog = [];
    world.sandbox.world.on('conversation.changed', (change) => changeLog.push(change.conversationId));
    manager = new NotificationChannelManager({
      transport: world.transport,
      conversations: world.messaging,
      clock: world.time.clock,
      sleep: world.time.sleep,
      random: () => 0.5,
      ...(typeof managerOptions === 'function' ? managerOptions(world) : managerOptions),
    });
    seen = [];
    channelEvents = [];
    backfills = [];
    failures = [];
    manager.on('notification', (n) => seen.push(n));
    manager.on('channel', (e) => channelEvents.push(e));
    manager.on('backfill', (r) => backfills.push(r));
    manager.on('failure', (f) => failures.push(`${f.operation}: ${f.error.message}`));
  }

  afterEach(async () => {
    expect(failures).toEqual([]);
    await manager?.close();
    await world?.close();
  });

  const catalog = () => world.sandbox.truth.catalog;
  const allTopics = () => [...catalog().queues.map((q) => queueConversationsTopic(q.id)), ...catalog().agents.map((a) => userConversationsTopic(a.id))];

  /** A new open-messaging conversation in the first queue; returns its id. */
  function newConversation(text = 'hello'): string {
    const integration = catalog().openIntegrations[0].id;
    const { conversation } = world.sandbox.world.receiveInbound({
      kind: 'open',
      channelId: integration,
      from: { id: `customer-${++customer}`, idType: 'Opaque', firstName: 'Ann', lastName: 'Lee', nickname: `ann${customer}` },
      time: world.clock.now(),
      text,
      attachments: [],
    });
    return conversation.id;
  }

  const ofConversation = (id: string) => seen.filter((n) => n.conversationId === id);
  /** How many changes the sandbox published for a conversation (each gives a different snapshot here). */
  const changes = (id: string) => changeLog.filter((c) => c === id).length;
  let changeLog: string[] = [];

  it('spreads topics over channels and answers every topic: rejected ones do not fail the rest', async () => {
    await setUp({}, { maxTopicsPerChannel: 10 });
    const bad = ['v2.routing.queues.no-such-queue.conversations.messages', 'v2.users.nobody.conversations.messages', 'v2.presence.nonsense'];
    const topics = allTopics();
    // the bad topics share the first channel with good ones
    const result = await manager.subscribe([...topics.slice(0, 6), ...bad, ...topics.slice(6)]);

    expect(result.permitted).toHaveLength(30);
    expect(result.rejected.map((r) => r.id).sort()).toEqual([...bad].sort());
    expect(result.rejected.every((r) => typeof r.rejectionReason === 'string' && r.rejectionReason.length > 0)).toBe(true);
    const channels = world.sandbox.notifications.channels();
    expect(channels).toHaveLength(4);
    expect(channels.every((c) => c.connected && c.topics.length <= 10)).toBe(true);
    expect(channels.map((c) => c.topics.length)).toEqual([7, 10, 10, 3]);
    expect(new Set(channels.flatMap((c) => c.topics)).size).toBe(30);
    expect(manager.channels().map((c) => c.state)).toEqual(['open', 'open', 'open', 'open']);

    // a second subscribe of the same topics is answered from memory, without a new channel
    const again = await manager.subscribe(allTopics().slice(0, 3));
    expect(again.permitted).toHaveLength(3);
    expect(world.sandbox.notifications.channels()).toHaveLength(4);

    // the queue topic and the agent's user topic sit on different channels: one snapshot per change
    const id = newConversation(); // two changes: created, then its first message
    await until(() => ofConversation(id).length === 2, 'the new conversation');
    const agent = catalog().agents[0];
    world.sandbox.world.assignAgent(id, { id: agent.id, name: agent.name });
    await until(() => ofConversation(id).length === 3, 'the agent joining');
    const agentParticipant = world.sandbox.truth.conversation(id)!.participants.find((p) => p.userId === agent.id)!;
    world.sandbox.world.sendOutbound(id, agentParticipant.communicationId, { text: 'hi, how can I help?' });
    await until(() => ofConversation(id).length === 4, 'the agent message');
    await settle(200);
    expect(changes(id)).toBe(4);
    expect(ofConversation(id)).toHaveLength(4);
    expect(ofConversation(id).map((n) => n.origin)).toEqual(['live', 'live', 'live', 'live']);
    const last = ofConversation(id)[3].snapshot;
    expect(last.participants.find((p) => p.userId === agent.id)?.messages).toHaveLength(1);
  });

  it('refuses more topics than its channels can carry before sending anything', async () => {
    await setUp({}, { maxTopicsPerChannel: 10, maxChannels: 2 });
    await expect(manager.subscribe(allTopics())).rejects.toMatchObject({ code: NotificationsErrorCode.TooManyTopics });
    expect(world.sandbox.notifications.channels()).toHaveLength(0);
    await expect(manager.subscribe(['v2.users.has space.conversations.messages'])).rejects.toMatchObject({ code: NotificationsErrorCode.InvalidTopic });
  });

  it('reconnects a dropped socket with backoff and re-reads what changed during the gap', async () => {
    await setUp();
    await manager.subscribe(catalog().queues.map((q) => queueConversationsTopic(q.id)));
    const before = newConversation('before the drop');
    await until(() => ofConversation(before).length === changes(before), 'the first conversation');
    const [channel] = world.sandbox.notifications.channels();

    expect(world.sandbox.notifications.dropSockets()).toBe(1);
    await until(() => channelEvents.some((e) => e.type === 'dropped'), 'the drop to be noticed');
    // changes while nobody listens: the sandbox, like Genesys, does not buffer them
    const agent = catalog().agents[1];
    world.sandbox.world.assignAgent(before, { id: agent.id, name: agent.name });
    const during = newConversation('during the gap');
    expect(ofConversation(during)).toHaveLength(0);

    world.clock.advance(1_000); // the reconnect backoff (random 0.5 × 1 s)
    await until(() => backfills.length === 1, 'the backfill');
    const reconnected = channelEvents.find((e) => e.type === 'reconnected');
    expect(reconnected?.channelId).toBe(channel.id);
    expect(backfills[0]).toMatchObject({ channelId: channel.id, failed: 0 });
    expect(backfills[0].backfilled).toBeGreaterThanOrEqual(2);

    const filled = ofConversation(before).filter((n) => n.origin === 'backfill');
    expect(filled).toHaveLength(1);
    expect(filled[0].snapshot.participants.some((p) => p.userId === agent.id && p.state === 'connected')).toBe(true);
    expect(ofConversation(during).map((n) => n.origin)).toEqual(['backfill']);

    // live again on the same channel
    const after = newConversation('after');
    await until(() => ofConversation(after).length === 2, 'live snapshots after the reconnect');
    expect(ofConversation(after).map((n) => n.origin)).toEqual(['live', 'live']);
  });

  it.each(['no_longer_subscribed', 'token_revoked'] as const)(
    'moves the topics to a fresh channel at v2.system.%s.{channelId}; events continue and nothing in between is lost',
    async (reason) => {
      await setUp();
      await manager.subscribe(catalog().queues.map((q) => queueConversationsTopic(q.id)));
      const before = newConversation('before');
      await until(() => ofConversation(before).length === changes(before), 'the first conversation');
      const [channel] = world.sandbox.notifications.channels();

      // Genesys ends the channel's subscriptions and says so on a topic that ends in the channel id
      expect(world.sandbox.notifications.endSubscriptions(channel.id, reason)).toBe(1);
      expect(world.sandbox.notifications.channels()[0].topics).toEqual([]);
      // a change before the new channel is up reaches nobody live: the gap re-read brings it
      const during = newConversation('while unsubscribed');
      await until(() => channelEvents.some((e) => e.type === 'rolled-over'), 'the move to a new channel');
      expect(channelEvents.find((e) => e.type === 'unsubscribed')).toMatchObject({ channelId: channel.id, reason });
      const rolled = channelEvents.find((e) => e.type === 'rolled-over')!;
      expect(rolled).toMatchObject({ previousChannelId: channel.id, reason });
      await until(() => ofConversation(during).length > 0, 'the change made while unsubscribed');

      // the new channel carries every topic, and live events continue on it
      const active = world.sandbox.notifications.channels().find((c) => c.id === rolled.channelId)!;
      expect(active.topics.sort()).toEqual(catalog().queues.map((q) => queueConversationsTopic(q.id)).sort());
      const after = newConversation('after');
      await until(() => ofConversation(after).length === changes(after), 'live snapshots after the move');
      expect(ofConversation(after).every((n) => n.origin === 'live')).toBe(true);
      expect(manager.channels().map((c) => c.state)).toEqual(['open']);
    },
  );

  it('rolls over at socket_closing: the overlap delivers every change exactly once and leaves no gap', async () => {
    let duringOverlap: (() => void) | undefined;
    // a transport whose PUT on the new channel runs the test's changes before answering:
    // the new channel is then subscribed and connected, the old one still open
    const hooked = (real: GenesysTransport) => ({
      get: real.get.bind(real),
      post: real.post.bind(real),
      delete: real.delete.bind(real),
      request: real.request.bind(real),
      put: (async (path: string, body?: unknown, init?: object) => {
        const response = await real.put(path, body, init);
        duringOverlap?.();
        duringOverlap = undefined;
        return response;
      }) as GenesysTransport['put'],
    });
    const conversationFrames = new Map<string, number>();
    const countingFactory = (url: string) => {
      const socket = new WebSocket(url);
      socket.on('message', (data) => {
        if (String(data).includes('"topicName":"v2.routing.queues.')) conversationFrames.set(url, (conversationFrames.get(url) ?? 0) + 1);
      });
      return socket;
    };
    await setUp({ notifications: { channelLifetimeMs: 600_000, closingNoticeMs: 60_000 } }, (w) => ({
      transport: hooked(w.transport),
      rolloverLeadMs: 30_000,
      webSocketFactory: countingFactory,
    }));

    await manager.subscribe(catalog().queues.map((q) => queueConversationsTopic(q.id)));
    const id = newConversation('one');
    await until(() => ofConversation(id).length === 2, 'the conversation');
    const oldChannel = manager.channels()[0].channelId;

    const agent = catalog().agents[2];
    duringOverlap = () => {
      world.sandbox.world.assignAgent(id, { id: agent.id, name: agent.name });
      const participant = world.sandbox.truth.conversation(id)!.participants.find((p) => p.userId === agent.id)!;
      world.sandbox.world.sendOutbound(id, participant.communicationId, { text: 'sent while two channels listen' });
    };
    await advanceInSteps(world.clock, 600_000 - 60_000); // heartbeats all along, then the closing notice
    await until(() => channelEvents.some((e) => e.type === 'rolled-over'), 'the rollover');
    const rolled = channelEvents.find((e) => e.type === 'rolled-over')!;
    expect(rolled.previousChannelId).toBe(oldChannel);
    expect(channelEvents.some((e) => e.type === 'closing-notice')).toBe(true);
    expect(duringOverlap).toBeUndefined();
    await settle(200);

    // both changes were published on both channels; each came out once
    expect(changes(id)).toBe(4);
    expect(ofConversation(id).map((n) => n.origin)).toEqual(['live', 'live', 'live', 'live']);
    const messageCounts = ofConversation(id).map((n) => n.snapshot.participants.reduce((sum, p) => sum + p.messages.length, 0));
    expect(messageCounts).toEqual([0, 1, 1, 2]);
    const perChannel = (channelId: string) => [...conversationFrames].find(([url]) => url.endsWith(channelId))?.[1];
    expect(perChannel(oldChannel!)).toBe(4);
    expect(perChannel(rolled.channelId)).toBe(2);
    expect(backfills).toHaveLength(0);
    expect(channelEvents.some((e) => e.type === 'dropped')).toBe(false);

    // the old channel expires and goes; the new one carries on
    await advanceInSteps(world.clock, 60_000);
    expect(world.sandbox.notifications.channels().map((c) => c.id)).toEqual([rolled.channelId]);
    const after = newConversation('after the rollover');
    await until(() => ofConversation(after).length === 2, 'snapshots on the new channel');
    expect(ofConversation(after).map((n) => n.channelId)).toEqual([rolled.channelId, rolled.channelId]);
  });

  it('takes a socket that stays silent past the heartbeat timeout for dead and reconnects it', async () => {
    const sockets: WebSocket[] = [];
    await setUp(
      { notifications: { heartbeatIntervalMs: 3_600_000 } },
      {
        heartbeatTimeoutMs: 75_000,
        pingAfterMs: 35_000,
        webSocketFactory: (url) => {
          const socket = new WebSocket(url);
          sockets.push(socket);
          return socket;
        },
      },
    );
    await manager.subscribe([queueConversationsTopic(catalog().queues[0].id)]);
    // a half-open connection: nothing arrives any more, pongs included
    sockets[0].removeAllListeners('message');
    const id = newConversation('unseen');
    await settle(100);
    expect(ofConversation(id)).toHaveLength(0);

    world.clock.advance(40_000); // a ping goes out; no pong comes back
    await settle(50);
    world.clock.advance(40_000); // 80 s silent: dead
    await until(() => channelEvents.some((e) => e.type === 'dropped'), 'the watchdog to drop the socket');
    world.clock.advance(1_000);
    await until(() => backfills.length === 1, 'the reconnect and backfill');
    expect(channelEvents.map((e) => e.type)).toEqual(['opened', 'dropped', 'reconnected']);
    expect(sockets).toHaveLength(2);
    expect(ofConversation(id).map((n) => n.origin)).toEqual(['backfill']);
  });

  it('replaces a channel that expired while its socket was down', async () => {
    await setUp({ notifications: { channelLifetimeMs: 3_600_000 } }, { rolloverLeadMs: 60_000 });
    await manager.subscribe([queueConversationsTopic(catalog().queues[0].id)]);
    const [first] = world.sandbox.notifications.channels();
    world.sandbox.notifications.dropSockets();
    await until(() => channelEvents.some((e) => e.type === 'dropped'), 'the drop');
    const id = newConversation('while down');
    world.clock.advance(3_600_000); // the channel expires before the reconnect attempt runs
    await until(() => backfills.length === 1, 'the replacement and backfill');
    const replaced = channelEvents.find((e) => e.type === 'replaced');
    expect(replaced?.previousChannelId).toBe(first.id);
    expect(world.sandbox.notifications.channels().map((c) => c.id)).toEqual([replaced?.channelId]);
    expect(ofConversation(id).map((n) => n.origin)).toEqual(['backfill']);
  });
});
