import { ManualClock, RunningSandbox } from '../../index';
import { SandboxApiClient, startTestSandbox } from '../../test/sandbox-api-client';
import { GuestSocketClient } from '../../test/guest-socket-client';
import { NotificationSocketClient } from '../../test/notification-socket-client';

const HEARTBEAT_MS = 30_000;
const LIFETIME_MS = 10 * 60_000;
const NOTICE_MS = 60_000;

describe('notifications', () => {
  let sandbox: RunningSandbox;
  let clock: ManualClock;
  let api: SandboxApiClient;
  const sockets: Array<{ close(): void }> = [];

  beforeAll(async () => {
    ({ sandbox, clock, api } = await startTestSandbox({
      agentReplyMs: 1000,
      notifications: { heartbeatIntervalMs: HEARTBEAT_MS, channelLifetimeMs: LIFETIME_MS, closingNoticeMs: NOTICE_MS, channelsPerClient: 20 },
    }));
    await api.login();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    sandbox.setFaults('none');
    // channels left by a spec must not count against the next one's limit
    clock.advance(LIFETIME_MS);
    await api.login();
  });
  afterAll(async () => {
    api.close();
    await sandbox.close();
  });

  async function channel(): Promise<{ id: string; connectUri: string; expires: string }> {
    const res = await api.post('/api/v2/notifications/channels');
    expect(res.status).toBe(200);
    return res.body;
  }

  async function open(connectUri: string): Promise<NotificationSocketClient> {
    const socket = await NotificationSocketClient.open(connectUri);
    sockets.push(socket);
    return socket;
  }

  const queueTopic = (id: string) => `v2.routing.queues.${id}.conversations.messages`;
  const userTopic = (id: string) => `v2.users.${id}.conversations.messages`;

  it('creates channels with a ws connectUri and an expiry, lists them, and checks them with HEAD', async () => {
    const created = await channel();
    expect(created).toEqual({
      id: expect.stringMatching(/^streaming-0-[0-9a-f]{32}$/),
      connectUri: `${sandbox.apiBaseUrl.replace('http', 'ws')}/channels/${created.id}`,
      expires: new Date(clock.now() + LIFETIME_MS).toISOString(),
    });
    const listed = await api.get('/api/v2/notifications/channels');
    expect(listed.body.entities).toContainEqual(created);
    expect((await api.get('/api/v2/notifications/channels?includechannels=oauthclient')).body.entities).toContainEqual(created);
    expect((await api.get('/api/v2/notifications/channels?includechannels=everyone')).status).toBe(400);
    expect((await api.request('HEAD', `/api/v2/notifications/channels/${created.id}`)).status).toBe(200);
    expect((await api.request('HEAD', '/api/v2/notifications/channels/streaming-0-nope')).status).toBe(404);
  });

  it('keeps 20 channels per client: the 21st evicts the least recently used one and closes its socket', async () => {
    const channels = [];
    for (let i = 0; i < 20; i++) channels.push(await channel());
    const socket = await open(channels[1].connectUri); // connecting is a use
    for (const c of channels.slice(2)) expect((await api.request('HEAD', `/api/v2/notifications/channels/${c.id}`)).status).toBe(200);
    // least recently used now: channels[0], then channels[1]
    await channel();
    let ids = (await api.get('/api/v2/notifications/channels?includechannels=oauthclient')).body.entities.map((c: { id: string }) => c.id);
    expect(ids).toHaveLength(20);
    expect(ids).not.toContain(channels[0].id);
    await channel();
    ids = (await api.get('/api/v2/notifications/channels?includechannels=oauthclient')).body.entities.map((c: { id: string }) => c.id);
    expect(ids).not.toContain(channels[1].id);
    expect(ids).toContain(channels[2].id);
    expect((await socket.whenClosed()).code).toBe(1000);
    expect((await api.request('HEAD', `/api/v2/notifications/channels/${channels[1].id}`)).status).toBe(404);
  });

  it('subscribes topics: PUT replaces, POST adds, GET lists, DELETE clears; unknown ids and malformed topics are Rejected; 1,000 topics at most', async () => {
    const { id } = await channel();
    const { queues, agents } = sandbox.truth.catalog;
    const path = `/api/v2/notifications/channels/${id}/subscriptions`;
    const put = await api.request('PUT', path, {
      body: [{ id: queueTopic(queues[0].id) }, { id: queueTopic('no-such-queue') }, { id: 'v2.users.banana' }, { id: userTopic(agents[0].id) }],
    });
    expect(put.status).toBe(200);
    expect(put.body.entities).toEqual([
      { id: queueTopic(queues[0].id), state: 'Permitted' },
      { id: userTopic(agents[0].id), state: 'Permitted' },
      { id: queueTopic('no-such-queue'), state: 'Rejected', rejectionReason: expect.stringContaining('no-such-queue'), missingPermissions: [] },
      { id: 'v2.users.banana', state: 'Rejected', rejectionReason: expect.any(String), missingPermissions: [] },
    ]);
    const added = await api.post(path, [{ id: `v2.users.${agents[1].id}?conversations&conversations.messages` }]);
    expect(added.body.entities.map((t: { id: string }) => t.id)).toEqual([
      queueTopic(queues[0].id),
      userTopic(agents[0].id),
      `v2.users.${agents[1].id}.conversations`,
      userTopic(agents[1].id),
    ]);
    expect((await api.get(path)).body.entities).toHaveLength(4);
    const replaced = await api.request('PUT', path, { body: [{ id: queueTopic(queues[1].id) }] });
    expect(replaced.body.entities).toEqual([{ id: queueTopic(queues[1].id), state: 'Permitted' }]);
    expect((await api.request('DELETE', path)).status).toBe(204);
    expect((await api.get(path)).body).toEqual({ entities: [] });

    const topics = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `v2.users.someone-${i}.conversations.messages` }));
    const tooMany = await api.request('PUT', path, { body: topics(1001) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ code: 'bad.request', messageParams: { max: '1000', count: '1001' } });
    expect((await api.request('PUT', path, { body: [{ id: queueTopic(queues[2].id) }] })).status).toBe(200);
    expect((await api.post(path, topics(1000))).status).toBe(400); // 1 + 1,000 would be 1,001
    expect((await api.get(path)).body.entities).toEqual([{ id: queueTopic(queues[2].id), state: 'Permitted' }]);
    const exactly = await api.request('PUT', path, { body: topics(1000) });
    expect(exactly.status).toBe(200);
    expect(exactly.body.entities.filter((t: { state: string }) => t.state === 'Rejected')).toHaveLength(1000);
    expect((await api.request('PUT', path, { body: { id: 'x' } })).status).toBe(400);
    expect((await api.get('/api/v2/notifications/channels/streaming-0-nope/subscriptions')).status).toBe(404);
  });

  it('lists the available topics', async () => {
    const res = await api.get('/api/v2/notifications/availabletopics');
    expect(res.status).toBe(200);
    expect(res.body.entities.map((t: { id: string }) => t.id)).toEqual(
      expect.arrayContaining(['v2.routing.queues.{id}.conversations.messages', 'v2.users.{id}.conversations.messages']),
    );
    expect(res.body.entities[0]).toMatchObject({ description: expect.any(String), topicParameters: ['id'] });
  });

  it('sends heartbeats every heartbeatIntervalMs on the sandbox clock and answers ping with pong', async () => {
    const { connectUri } = await channel();
    const socket = await open(connectUri);
    clock.advance(HEARTBEAT_MS - 1);
    await socket.sync();
    expect(socket.frames.filter((f) => f.eventBody?.message === 'WebSocket Heartbeat')).toEqual([]);
    const heartbeat = socket.next((f) => f.eventBody?.message === 'WebSocket Heartbeat');
    clock.advance(1);
    expect(await heartbeat).toEqual({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });
    clock.advance(2 * HEARTBEAT_MS);
    await socket.sync();
    expect(socket.frames.filter((f) => f.eventBody?.message === 'WebSocket Heartbeat')).toHaveLength(3);
    expect(socket.raw).toContain('{"topicName":"channel.metadata","eventBody":{"message":"pong"}}');
  });

  it('allows one socket per channel: a second socket closes the first; unknown channels are refused', async () => {
    const { connectUri } = await channel();
    const first = await open(connectUri);
    const second = await open(connectUri);
    expect((await first.whenClosed()).code).toBe(1000);
    await second.sync();
    await expect(NotificationSocketClient.open(`${sandbox.apiBaseUrl.replace('http', 'ws')}/channels/streaming-0-nope`)).rejects.toThrow(/404/);
  });

  it('pushes conversation snapshots without message text on the queue and user message topics', async () => {
    const { id, connectUri } = await channel();
    const queueId = sandbox.truth.catalog.queues[0].id;
    const socket = await open(connectUri);
    await api.request('PUT', `/api/v2/notifications/channels/${id}/subscriptions`, { body: [{ id: queueTopic(queueId) }] });

    const guest = await GuestSocketClient.open(`${sandbox.webMessagingUrl}?deploymentId=${sandbox.deploymentId}`, 'notif-guest-token-1');
    sockets.push(guest);
    await guest.configure(sandbox.deploymentId);
    const queueEvent = socket.next((f) => f.topicName === queueTopic(queueId) && f.eventBody.participants[0].messages.length > 0);
    const echo = await guest.sendText('A very secret order question');
    const event = await queueEvent;
    expect(event).toEqual({
      topicName: queueTopic(queueId),
      version: '2',
      eventBody: expect.objectContaining({ id: expect.any(String), participants: expect.any(Array) }),
      metadata: { CorrelationId: expect.any(String) },
    });
    const customer = event.eventBody.participants.find((p: { purpose: string }) => p.purpose === 'customer');
    expect(customer).toMatchObject({ state: 'connected', initialState: 'connected', held: false, wrapupRequired: false });
    expect(customer.messages).toEqual([{ message: { id: echo.body.id }, messageTime: echo.body.channel.time, messageStatus: 'received', media: [] }]);
    // the .messages topics nest the queue and the agent as {id, name} (SDK v262 *MessageEventTopicMessageMediaParticipant)
    const acd = event.eventBody.participants.find((p: { purpose: string }) => p.purpose === 'acd');
    expect(acd).toMatchObject({ queue: { id: queueId, name: sandbox.truth.catalog.queues[0].name } });
    expect(acd).not.toHaveProperty('queueId');
    expect(JSON.stringify(event)).not.toContain('secret');
    const conversationId = event.eventBody.id;

    // the agent who joins gets the conversation on their user topic
    const agentEvent = socket.next((f) => f.eventBody?.participants?.some((p: { purpose: string; state: string }) => p.purpose === 'agent'));
    clock.advance(1000);
    const joined = await agentEvent;
    const agent = joined.eventBody.participants.find((p: { purpose: string }) => p.purpose === 'agent');
    expect(agent).toMatchObject({ state: 'connected', initialState: 'alerting', wrapupRequired: true, queue: { id: queueId }, user: { id: expect.any(String), name: expect.any(String) } });
    expect(agent).not.toHaveProperty('userId');

    // the all-media .conversations topic has its own model: flat queueId/userId, communications under messages[]
    await api.request('PUT', `/api/v2/notifications/channels/${id}/subscriptions`, { body: [{ id: userTopic(agent.user.id) }, { id: `v2.users.${agent.user.id}.conversations` }] });
    const allMedia = socket.nextTopic(`v2.users.${agent.user.id}.conversations`);
    const patched = socket.nextTopic(userTopic(agent.user.id));
    expect((await api.request('PATCH', `/api/v2/conversations/messages/${conversationId}/participants/${agent.id}`, { body: { held: true } })).status).toBe(202);
    const heldEvent = await patched;
    expect(heldEvent.eventBody.participants.find((p: { id: string }) => p.id === agent.id).held).toBe(true);
    const allMediaAgent = (await allMedia).eventBody.participants.find((p: { id: string }) => p.id === agent.id);
    expect(allMediaAgent).toMatchObject({ userId: agent.user.id, queueId, messages: [{ id: expect.any(String), held: true, state: 'connected', messages: expect.any(Array) }] });
  });

  it('sends v2.system.socket_closing before the channel expires, then closes it', async () => {
    const { id, connectUri } = await channel();
    const socket = await open(connectUri);
    const closing = socket.nextTopic('v2.system.socket_closing');
    clock.advance(LIFETIME_MS - NOTICE_MS);
    expect((await closing).eventBody).toEqual({ message: expect.any(String) });
    expect((await api.request('HEAD', `/api/v2/notifications/channels/${id}`)).status).toBe(200);
    clock.advance(NOTICE_MS);
    expect((await socket.whenClosed()).code).toBe(1000);
    expect((await api.request('HEAD', `/api/v2/notifications/channels/${id}`)).status).toBe(404);
  });

  it('drops sockets as a fault (notificationDrop) and on demand through /__sandbox', async () => {
    const { id, connectUri } = await channel();
    const socket = await open(connectUri);
    sandbox.setFaults({ notificationDrop: 1 });
    const before = sandbox.stats.snapshot().faultsInjected.notificationDrop;
    clock.advance(HEARTBEAT_MS);
    expect((await socket.whenClosed()).code).toBe(1006);
    expect(sandbox.stats.snapshot().faultsInjected.notificationDrop).toBe(before + 1);
    sandbox.setFaults('none');

    const again = await open(connectUri);
    await again.sync();
    const dropped = await api.post('/__sandbox/notifications/drop', { channelId: id }, { auth: false });
    expect(dropped.body).toEqual({ dropped: 1 });
    expect((await again.whenClosed()).code).toBe(1006);
    const admin = await api.get('/__sandbox/notifications/channels', { auth: false });
    expect(admin.body.entities).toContainEqual(expect.objectContaining({ id, connected: false, topics: [] }));
  });
});
