import { ApiResponse, startTestSandbox } from '../test/sandbox-api-client';
import { GuestSocketClient } from '../test/guest-socket-client';
import { NotificationSocketClient } from '../test/notification-socket-client';

/** Runs one fixed request sequence and returns every response as status, correlation id and raw body. */
async function recordRun(seed: number, port = 0): Promise<{ transcript: string[]; port: number }> {
  const { sandbox, clock, api } = await startTestSandbox({ seed, port, conversations: 80, jobDelayMs: 1000 });
  const transcript: string[] = [];
  const record = (label: string, res: ApiResponse) =>
    transcript.push(`${label} ${res.status} ${res.headers.get('inin-correlation-id')} ${res.text}`);
  try {
    const login = await api.request('POST', '/oauth/token', {
      rawBody: 'grant_type=client_credentials',
      headers: { Authorization: api.basicAuth(), 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    record('login', login);
    api.token = login.body.access_token;
    record('me', await api.get('/api/v2/tokens/me'));

    const query = await api.post('/api/v2/analytics/conversations/details/query', {
      interval: '2025-02-01T00:00:00Z/2025-03-02T00:00:00Z',
      paging: { pageSize: 100 },
    });
    record('query', query);
    for (const c of query.body.conversations.slice(0, 5)) {
      const conversation = await api.get(`/api/v2/conversations/messages/${c.conversationId}`);
      record('conversation', conversation);
      const ids = conversation.body.participants.flatMap((p: { messages: Array<{ messageId: string }> }) => p.messages.map((m) => m.messageId));
      record('bulk', await api.post(`/api/v2/conversations/messages/${c.conversationId}/messages/bulk`, ids));
    }
    const job = await api.post('/api/v2/analytics/conversations/details/jobs', { interval: '2025-02-20T00:00:00Z/2025-03-02T00:00:00Z' });
    record('job', job);
    clock.advance(1000);
    record('job-status', await api.get(`/api/v2/analytics/conversations/details/jobs/${job.body.jobId}`));
    record('job-results', await api.get(`/api/v2/analytics/conversations/details/jobs/${job.body.jobId}/results?pageSize=10`));

    const integrationId = sandbox.truth.catalog.openIntegrations[1].id;
    const inbound = await api.post(`/api/v2/conversations/messages/${integrationId}/inbound/open/message?prefetchConversationId=true`, {
      channel: { from: { id: 'same-every-run', idType: 'Opaque' }, time: '2025-03-01T12:00:01.000Z' },
      text: 'hello',
    });
    record('inbound', inbound);
    clock.advance(500);
    const reply = await api.post('/api/v2/conversations/messages/agentless', {
      fromAddress: integrationId,
      toAddress: 'same-every-run',
      toAddressMessengerType: 'open',
      textBody: 'hi there',
      useExistingActiveConversation: true,
    });
    record('agentless', reply);
    record('after-send', await api.get(`/api/v2/conversations/messages/${inbound.body.conversationId}`));
    record('search', await api.post('/api/v2/conversations/participants/attributes/search', { query: [{ type: 'EXACT', fields: ['language'], value: 'en-gb' }] }));
    record('not-found', await api.get('/api/v2/conversations/messages/00000000-0000-4000-8000-000000000000'));
    record('truth', await api.get(`/__sandbox/truth/conversations/${inbound.body.conversationId}`, { auth: false }));

    // part 2: a notifications channel watching the first queue, and a web messaging guest
    const channel = await api.post('/api/v2/notifications/channels');
    record('channel', channel);
    record('subscribe', await api.request('PUT', `/api/v2/notifications/channels/${channel.body.id}/subscriptions`, {
      body: [{ id: `v2.routing.queues.${sandbox.truth.catalog.queues[0].id}.conversations.messages` }],
    }));
    const notifications = await NotificationSocketClient.open(channel.body.connectUri);
    const guest = await GuestSocketClient.open(`${sandbox.webMessagingUrl}?deploymentId=${sandbox.deploymentId}`, 'the-same-guest-token');
    try {
      await guest.configure(sandbox.deploymentId);
      await guest.sendText('where is my parcel?');
      const agentReply = guest.nextPush('StructuredMessage');
      clock.advance(1500);
      await agentReply;
      const jwt = await guest.request('getJwt');
      record('history', await api.get('/api/v2/webmessaging/messages', { token: jwt.body.jwt }));
      await guest.sync();
      await notifications.sync();
      transcript.push(...guest.frames.map((f) => `guest ${JSON.stringify(f)}`));
      transcript.push(...notifications.raw.map((f) => `notification ${f}`));
    } finally {
      guest.close();
      notifications.close();
    }
  } finally {
    await sandbox.close();
  }
  return { transcript, port: Number(new URL(sandbox.apiBaseUrl).port) };
}

describe('determinism', () => {
  it('gives byte-identical responses, correlation ids and tokens for the same seed, now and requests', async () => {
    // same port too: absolute URLs (attachments, messageURI) embed the origin
    const { transcript: first, port } = await recordRun(42);
    const { transcript: second } = await recordRun(42, port);
    expect(first.length).toBeGreaterThan(15);
    expect(first.filter((line) => line.startsWith('notification ') && line.includes('"version":"2"')).length).toBeGreaterThan(2);
    expect(second).toHaveLength(first.length);
    for (let n = 0; n < first.length; n++) expect(second[n]).toBe(first[n]);
  });

  it('gives different data for another seed', async () => {
    const [a, b] = await Promise.all([recordRun(42), recordRun(43)]);
    expect(a.transcript[2]).not.toBe(b.transcript[2]);
  });
});
