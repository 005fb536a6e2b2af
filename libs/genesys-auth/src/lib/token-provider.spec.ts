import { inspect } from 'node:util';
import { FakeClock, ScriptedGenesysServer } from '../testing';
import { GenesysAuthError, GenesysServerError } from './errors';
import { ClientCredentialsTokenProvider } from './token-provider';

describe('ClientCredentialsTokenProvider', () => {
  let server: ScriptedGenesysServer;
  let clock: FakeClock;
  beforeEach(async () => {
    server = await ScriptedGenesysServer.start({ tokenLifetimeSeconds: 3600 });
    clock = new FakeClock();
  });
  afterEach(() => server.close());

  const provider = (overrides: Partial<ConstructorParameters<typeof ClientCredentialsTokenProvider>[0]> = {}) =>
    new ClientCredentialsTokenProvider({
      loginBaseUrl: server.baseUrl,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      clock,
      sleep: clock.sleep,
      random: () => 0.5,
      ...overrides,
    });

  it('posts grant_type=client_credentials with Basic auth and caches the token', async () => {
    const tokens = provider();
    const first = await tokens.getToken();
    const second = await tokens.getToken();
    expect(first).toBe(second);
    expect(server.tokenRequests).toBe(1);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.body).toBe('grant_type=client_credentials');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.authorization).toBe(
      'Basic ' + Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64'),
    );
  });

  it('refreshes 60 s before expiry, not earlier', async () => {
    const tokens = provider();
    const first = await tokens.getToken();
    clock.set(clock.now() + 3600_000 - 60_001);
    expect(await tokens.getToken()).toBe(first);
    clock.set(clock.now() + 2);
    expect(await tokens.getToken()).not.toBe(first);
    expect(server.tokenRequests).toBe(2);
  });

  it('scales the skew down for short-lived tokens (20 % of the lifetime)', async () => {
    server.tokenLifetimeSeconds = 10;
    const tokens = provider();
    const first = await tokens.getToken();
    clock.set(clock.now() + 7_999);
    expect(await tokens.getToken()).toBe(first);
    clock.set(clock.now() + 2);
    expect(await tokens.getToken()).not.toBe(first);
  });

  it('single flight: 50 concurrent callers cause one token request', async () => {
    const tokens = provider();
    const all = await Promise.all(Array.from({ length: 50 }, () => tokens.getToken()));
    expect(new Set(all).size).toBe(1);
    expect(server.tokenRequests).toBe(1);
  });

  it('invalidate(token) drops only that token', async () => {
    const tokens = provider();
    const first = await tokens.getToken();
    tokens.invalidate(first);
    const second = await tokens.getToken();
    expect(second).not.toBe(first);
    tokens.invalidate(first); // stale caller: must not throw away the new one
    expect(await tokens.getToken()).toBe(second);
    expect(server.tokenRequests).toBe(2);
  });

  it('rejected credentials give a typed error that never contains the secret', async () => {
    const tokens = provider({ clientSecret: 'wrong-secret-Q7hz-very-private' });
    const error = await tokens.getToken().catch((e) => e);
    expect(error).toBeInstanceOf(GenesysAuthError);
    expect(error.code).toBe('invalid_client');
    expect(error.message).toMatch(/GENESYSCLOUD_OAUTHCLIENT_ID/);
    expect(server.tokenRequests).toBe(1); // not retried
    const basic = Buffer.from(`${server.clientId}:wrong-secret-Q7hz-very-private`).toString('base64');
    for (const text of [error.message, error.stack, JSON.stringify(error), inspect(error, { depth: 10 })]) {
      expect(text).not.toContain('wrong-secret-Q7hz-very-private');
      expect(text).not.toContain(basic);
    }
  });

  it('retries a 503 from the login host and then succeeds', async () => {
    server.enqueueToken({ status: 503, body: { message: 'busy', code: 'service.unavailable', status: 503 } });
    const tokens = provider();
    await expect(tokens.getToken()).resolves.toMatch(/^scripted-token-/);
    expect(server.tokenRequests).toBe(2);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('keeps the still-valid token when a refresh ahead of expiry fails transiently', async () => {
    const warnings: string[] = [];
    const tokens = provider({ retry: { maxAttempts: 1 }, logger: { warn: (m) => warnings.push(m) } });
    const first = await tokens.getToken();
    clock.set(clock.now() + 3600_000 - 30_000); // inside the refresh window, not expired
    server.enqueueToken({ status: 503, body: { message: 'busy' } });
    expect(await tokens.getToken()).toBe(first);
    expect(warnings[0]).toMatch(/refresh failed/);
    clock.set(clock.now() + 60_000); // now expired: the failure must surface
    server.enqueueToken({ status: 503, body: { message: 'busy' } });
    await expect(tokens.getToken()).rejects.toBeInstanceOf(GenesysServerError);
  });

  it('rejects a 200 without access_token as a wrong login host', async () => {
    server.enqueueToken({ status: 200, body: { hello: 'world' } });
    const tokens = provider({ retry: { maxAttempts: 1 } });
    await expect(tokens.getToken()).rejects.toThrow(/without access_token/);
  });

  it('requires id and secret', () => {
    expect(() => provider({ clientSecret: '' })).toThrow(/clientSecret is required/);
    expect(() => provider({ clientId: '' })).toThrow(/clientId is required/);
  });
});
