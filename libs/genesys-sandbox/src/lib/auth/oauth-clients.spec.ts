import { ManualClock, RunningSandbox, resolveSandboxOptions, SandboxOptionsError } from '../../index';
import { SandboxApiClient, startTestSandbox } from '../../test/sandbox-api-client';

/** Several client-credentials clients (`clients`), and the rate limit counted per client as Genesys does. */
describe('OAuth clients of the org', () => {
  let sandbox: RunningSandbox;
  let clock: ManualClock;
  let api: SandboxApiClient;

  beforeAll(async () => {
    ({ sandbox, clock, api } = await startTestSandbox({ clients: 3, rateLimitPerMinute: 3 }));
  });
  afterAll(() => sandbox.close());
  // every test starts 10 s into a fresh rate window
  beforeEach(() => clock.set(Math.ceil((clock.now() + 1) / 60_000) * 60_000 + 10_000));

  const login = async (client: { clientId: string; clientSecret: string }) => {
    const res = await api.request('POST', '/oauth/token', {
      rawBody: 'grant_type=client_credentials',
      headers: { Authorization: api.basicAuth(client.clientId, client.clientSecret), 'Content-Type': 'application/x-www-form-urlencoded' },
      auth: false,
    });
    return res;
  };
  const tokenOf = async (client: { clientId: string; clientSecret: string }) => {
    const res = await login(client);
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  };

  it('seeds N distinct clients from the seed, the first being clientId/clientSecret', () => {
    expect(sandbox.clients).toHaveLength(3);
    expect(sandbox.clients[0]).toEqual({ clientId: sandbox.clientId, clientSecret: sandbox.clientSecret });
    expect(new Set(sandbox.clients.map((c) => c.clientId)).size).toBe(3);
    expect(new Set(sandbox.clients.map((c) => c.clientSecret)).size).toBe(3);
    // deterministic: the same seed gives the same clients, another seed others
    expect(resolveSandboxOptions({ seed: 42, clients: 3 }).clients).toEqual(sandbox.clients);
    expect(resolveSandboxOptions({ seed: 43, clients: 3 }).clients[1].clientId).not.toBe(sandbox.clients[1].clientId);
    // one client by default
    expect(resolveSandboxOptions({ seed: 42 }).clients).toEqual([sandbox.clients[0]]);
  });

  it('logs every client in, each token naming its own client; a secret of another client is refused', async () => {
    for (const client of sandbox.clients) {
      const me = await api.get('/api/v2/tokens/me', { token: await tokenOf(client) });
      expect(me.status).toBe(200);
      expect(me.body.OAuthClient.id).toBe(client.clientId);
    }
    const [first, second] = sandbox.clients;
    expect((await login({ clientId: second.clientId, clientSecret: first.clientSecret })).status).toBe(401);
    expect((await login({ clientId: 'not-a-client', clientSecret: second.clientSecret })).status).toBe(401);
  });

  it('counts the rate limit per client: a fresh login gets no fresh budget, another client has its own', async () => {
    const [first, second] = sandbox.clients;
    const before = sandbox.stats.snapshot().requests.byClient;
    let token = await tokenOf(first);
    for (let n = 1; n <= 3; n++) {
      const ok = await api.get('/api/v2/tokens/me', { token });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('inin-ratelimit-count')).toBe(String(n));
    }
    // log in again: the new token shares the client's spent budget
    token = await tokenOf(first);
    const limited = await api.get('/api/v2/tokens/me', { token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('inin-ratelimit-count')).toBe('4');
    expect(limited.headers.get('retry-after')).toBe('50');

    // the second client, in the same window, has all of its own budget
    const other = await tokenOf(second);
    for (let n = 1; n <= 3; n++) expect((await api.get('/api/v2/tokens/me', { token: other })).status).toBe(200);
    expect((await api.get('/api/v2/tokens/me', { token: other })).status).toBe(429);

    // the next window gives the first client its budget back
    clock.advance(50_000);
    expect((await api.get('/api/v2/tokens/me', { token })).status).toBe(200);

    const after = sandbox.stats.snapshot().requests.byClient;
    const delta = (id: string, status: string) => (after[id]?.[status] ?? 0) - (before[id]?.[status] ?? 0);
    expect([delta(first.clientId, '200'), delta(first.clientId, '429')]).toEqual([4, 1]);
    expect([delta(second.clientId, '200'), delta(second.clientId, '429')]).toEqual([3, 1]);
  });

  it.each([
    [{ clients: 0 }, 'clients must be an integer between 1 and 64, got 0'],
    [{ clients: 65 }, 'clients must be an integer between 1 and 64, got 65'],
    [{ clients: 1.5 }, 'clients must be an integer between 1 and 64, got 1.5'],
  ])('rejects %j naming the option and the limit', (options, message) => {
    expect(() => resolveSandboxOptions(options)).toThrow(message);
    expect(() => resolveSandboxOptions(options)).toThrow(SandboxOptionsError);
  });
});
