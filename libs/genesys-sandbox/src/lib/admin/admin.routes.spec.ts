import { ManualClock, RunningSandbox, startSandbox } from '../../index';
import { SandboxApiClient, startTestSandbox } from '../../test/sandbox-api-client';

describe('/__sandbox admin API', () => {
  let sandbox: RunningSandbox;
  let clock: ManualClock;
  let api: SandboxApiClient;

  beforeAll(async () => {
    ({ sandbox, clock, api } = await startTestSandbox());
    await api.login();
  });
  afterAll(() => sandbox.close());

  it('reports requests by route and status, tokens issued and faults', async () => {
    await api.get('/api/v2/tokens/me');
    await api.get('/api/v2/conversations/messages/unknown');
    const stats = await api.get('/__sandbox/stats', { auth: false });
    expect(stats.status).toBe(200);
    expect(stats.body.requests.byRoute['GET /api/v2/tokens/me']).toEqual({ '200': 1 });
    expect(stats.body.requests.byRoute['GET /api/v2/conversations/messages/:conversationId']).toEqual({ '404': 1 });
    expect(stats.body.requests.byRoute['POST /oauth/token']).toEqual({ '200': 1 });
    expect(stats.body.tokensIssued).toBe(1);
    expect(stats.body.faultsInjected).toMatchObject({ http429: 0, reset: 0, tokenRevocation: 0 });
    expect(sandbox.stats.count('GET /api/v2/tokens/me', 200)).toBe(1);
  });

  it('serves the ground truth: conversation ids, one conversation with its messages, anomalies', async () => {
    const list = await api.get('/__sandbox/truth/conversations?offset=10&limit=5', { auth: false });
    expect(list.body.total).toBe(60);
    expect(list.body.entities.map((e: { id: string }) => e.id)).toEqual(sandbox.truth.conversationIds().slice(10, 15));
    const id = sandbox.truth.anomalousConversationIds()[0];
    const one = await api.get(`/__sandbox/truth/conversations/${id}`, { auth: false });
    expect(one.body).toMatchObject({ id, anomalies: expect.any(Array), messages: expect.any(Array) });
    expect(one.body.anomalies.length).toBeGreaterThan(0);
    expect(one.body.messages).toEqual(sandbox.truth.messages(id));
    const anomalies = await api.get('/__sandbox/truth/anomalies', { auth: false });
    expect(anomalies.body.totalConversations).toBe(sandbox.truth.anomalousConversationIds().length);
    expect(anomalies.body.entities).toEqual([...sandbox.truth.anomalies()]);
    expect((await api.get('/__sandbox/truth/conversations/nope', { auth: false })).status).toBe(404);
  });

  it('revokes tokens and advances a manual clock', async () => {
    const token = await api.login();
    const revoked = await api.post('/__sandbox/tokens/revoke', {}, { auth: false });
    expect(revoked.body.revoked).toBeGreaterThanOrEqual(1);
    expect((await api.get('/api/v2/tokens/me', { token })).status).toBe(401);
    const before = clock.now();
    const advanced = await api.post('/__sandbox/clock/advance', { ms: 90_000 }, { auth: false });
    expect(advanced.body.now).toBe(new Date(before + 90_000).toISOString());
  });

  it('describes the organisation for other processes', async () => {
    const info = await api.get('/__sandbox/info', { auth: false });
    expect(info.body).toMatchObject({ apiBaseUrl: sandbox.apiBaseUrl, webMessagingUrl: sandbox.webMessagingUrl, clientId: sandbox.clientId, seed: 42, conversations: 60 });
    expect(info.body.openIntegrations).toEqual(sandbox.truth.catalog.openIntegrations);
    expect(JSON.stringify(info.body)).not.toContain(sandbox.clientSecret);
  });

  it('refuses to advance a real clock', async () => {
    const real = await startSandbox({ conversations: 1 });
    try {
      const res = await new SandboxApiClient(real).post('/__sandbox/clock/advance', { ms: 1 }, { auth: false });
      expect(res.status).toBe(409);
    } finally {
      await real.close();
    }
  });
});
