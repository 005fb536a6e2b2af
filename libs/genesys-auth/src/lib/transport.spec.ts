import { inspect } from 'node:util';
import { FakeClock, ScriptedGenesysServer } from '../testing';
import {
  GenesysAbortedError,
  GenesysAuthError,
  GenesysConnectionError,
  GenesysNotFoundError,
  GenesysRateLimitError,
  GenesysServerError,
} from './errors';
import type { RetryEvent } from './retry-runner';
import { ClientCredentialsTokenProvider } from './token-provider';
import { GenesysTransport, type GenesysTransportOptions } from './transport';
import { whoAmI } from './who-am-i';

const RATE_LIMIT_BODY = (seconds: number) => ({
  message: `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`,
  code: 'too.many.requests.retry.after',
  status: 429,
  contextId: 'ctx-429',
  details: [],
  errors: [],
});

describe('GenesysTransport', () => {
  let server: ScriptedGenesysServer;
  let clock: FakeClock;
  let tokens: ClientCredentialsTokenProvider;
  const logs: string[] = [];

  beforeEach(async () => {
    server = await ScriptedGenesysServer.start();
    clock = new FakeClock();
    logs.length = 0;
    tokens = new ClientCredentialsTokenProvider({
      loginBaseUrl: server.baseUrl,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      clock,
      sleep: clock.sleep,
    });
  });
  afterEach(() => server.close());

  const transport = (options: Partial<GenesysTransportOptions> = {}) =>
    new GenesysTransport({
      apiBaseUrl: server.baseUrl,
      tokens,
      clock,
      sleep: clock.sleep,
      random: () => 0.999,
      logger: {
        debug: (m, c) => logs.push(`${m} ${JSON.stringify(c)}`),
        warn: (m, c) => logs.push(`${m} ${JSON.stringify(c)}`),
      },
      ...options,
    });

  it('attaches the bearer token and parses JSON', async () => {
    server.enqueue({ status: 200, body: { id: 'c1' }, headers: { 'inin-correlation-id': 'ctx-1' } });
    const response = await transport().get<{ id: string }>('/api/v2/conversations/messages/c1');
    expect(response.data).toEqual({ id: 'c1' });
    expect(response.contextId).toBe('ctx-1');
    expect(server.apiRequests[0].headers.authorization).toMatch(/^Bearer scripted-token-1-/);
  });

  describe('401 and token expiry', () => {
    it('50 concurrent requests with a token the server no longer accepts cause exactly 1 token request', async () => {
      const t = transport();
      await t.get('/api/v2/tokens/me');
      expect(server.tokenRequests).toBe(1);
      server.revokeTokens();
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => t.get(`/api/v2/x/${i}`)));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(server.tokenRequests).toBe(2);
    });

    it('50 concurrent requests after the cached token expired cause exactly 1 token request', async () => {
      const t = transport();
      await t.get('/api/v2/tokens/me');
      clock.set(clock.now() + 86_400_000 + 1);
      await Promise.all(Array.from({ length: 50 }, (_, i) => t.get(`/api/v2/x/${i}`)));
      expect(server.tokenRequests).toBe(2);
    });

    it('re-logs in once on a 401, then fails with a typed auth error', async () => {
      const t = transport();
      server.otherwise(() => ({ status: 401, body: { message: 'Invalid login credentials.', code: 'bad.credentials', status: 401 } }));
      const error = await t.get('/api/v2/tokens/me').catch((e) => e);
      expect(error).toBeInstanceOf(GenesysAuthError);
      expect(error.message).toMatch(/even with a freshly issued token/);
      expect(server.tokenRequests).toBe(2);
      expect(server.apiRequests).toHaveLength(2);
    });
  });

  describe('retries', () => {
    it('a 429 with Retry-After: 2 then 200 waits at least 2 s on the clock and succeeds', async () => {
      const events: RetryEvent[] = [];
      server.enqueue({ status: 429, headers: { 'Retry-After': '2' }, body: RATE_LIMIT_BODY(2) }, { status: 200, body: { ok: 1 } });
      const start = clock.now();
      const response = await transport({ onRetry: (e) => events.push(e) }).get('/api/v2/x');
      expect(response.data).toEqual({ ok: 1 });
      expect(response.attempts).toBe(2);
      expect(clock.now() - start).toBeGreaterThanOrEqual(2000);
      expect(events).toEqual([expect.objectContaining({ attempt: 1, delayMs: 2000, status: 429, code: 'too.many.requests.retry.after', contextId: 'ctx-429' })]);
    });

    it('honours Retry-After given as an HTTP date', async () => {
      const retryAt = new Date(clock.now() + 5000).toUTCString();
      server.enqueue({ status: 429, headers: { 'Retry-After': retryAt }, body: RATE_LIMIT_BODY(5) }, { status: 200, body: {} });
      const start = clock.now();
      await transport().get('/api/v2/x');
      expect(clock.now() - start).toBeGreaterThanOrEqual(5000);
    });

    it('a 429 pauses every caller sharing the transport', async () => {
      const t = transport();
      server.enqueue({ status: 429, headers: { 'Retry-After': '3' }, body: RATE_LIMIT_BODY(3) });
      const start = clock.now();
      await t.get('/api/v2/first');
      // a new request made after the 429 still waits out the pause
      expect(clock.now() - start).toBeGreaterThanOrEqual(3000);
      expect(clock.sleeps[0]).toBe(3000);
    });

    it('retries 503 with full-jitter exponential backoff within its bounds', async () => {
      const events: RetryEvent[] = [];
      server.enqueue(
        { status: 503, body: { message: 'unavailable', code: 'service.unavailable', status: 503 } },
        { status: 503, body: { message: 'unavailable' } },
        { status: 503, body: { message: 'unavailable' } },
        { status: 200, body: { ok: true } },
      );
      const t = transport({ retry: { baseDelayMs: 100, maxDelayMs: 250 }, random: () => 0.999, onRetry: (e) => events.push(e) });
      await t.get('/api/v2/x');
      expect(events.map((e) => e.delayMs)).toEqual([99, 199, 249]);
    });

    it('gives up when the total time budget would be exceeded, without waiting', async () => {
      server.enqueue({ status: 429, headers: { 'Retry-After': '600' }, body: RATE_LIMIT_BODY(600) });
      const error = await transport({ retry: { totalTimeoutMs: 60_000 } }).get('/api/v2/x').catch((e) => e);
      expect(error).toBeInstanceOf(GenesysRateLimitError);
      expect(error.retryAfterMs).toBe(600_000);
      expect(error.message).toMatch(/budget exhausted/);
      expect(clock.sleeps).toEqual([]);
    });

    it('gives up after maxAttempts', async () => {
      server.otherwise(() => ({ status: 502, body: { message: 'bad gateway' } }));
      const error = await transport({ retry: { maxAttempts: 3 } }).get('/api/v2/x').catch((e) => e);
      expect(error).toBeInstanceOf(GenesysServerError);
      expect(error.attempts).toBe(3);
      expect(server.apiRequests).toHaveLength(3);
    });

    it('does not retry a POST answered 503 unless it is marked safe', async () => {
      server.otherwise(() => ({ status: 503, body: { message: 'unavailable' } }));
      const t = transport({ retry: { maxAttempts: 3 } });
      await expect(t.post('/api/v2/conversations/messages/agentless', { textBody: 'hi' })).rejects.toBeInstanceOf(GenesysServerError);
      expect(server.apiRequests).toHaveLength(1);
      await expect(t.post('/api/v2/conversations/messages/c/messages/bulk', ['m1'], { retrySafe: true })).rejects.toBeInstanceOf(
        GenesysServerError,
      );
      expect(server.apiRequests).toHaveLength(4);
    });

    it('retries a connection reset on a GET', async () => {
      server.enqueue({ reset: true }, { status: 200, body: { ok: true } });
      const response = await transport().get('/api/v2/x');
      expect(response.attempts).toBe(2);
    });

    it('treats a truncated JSON body as a connection failure and retries it', async () => {
      server.enqueue({ status: 200, body: '{"entities":[{"id":', headers: { 'content-type': 'application/json' } }, { status: 200, body: { entities: [] } });
      const response = await transport().get('/api/v2/x');
      expect(response.data).toEqual({ entities: [] });
      expect(response.attempts).toBe(2);
    });

    it('does not retry a 404', async () => {
      server.enqueue({ status: 404, body: { message: 'not found', code: 'not.found', status: 404, contextId: 'ctx-404' } });
      const error = await transport().get('/api/v2/conversations/nope').catch((e) => e);
      expect(error).toBeInstanceOf(GenesysNotFoundError);
      expect(error.contextId).toBe('ctx-404');
      expect(server.apiRequests).toHaveLength(1);
    });
  });

  describe('abort', () => {
    it('never retries an aborted request', async () => {
      server.enqueue({ hang: true });
      const controller = new AbortController();
      const pending = transport().get('/api/v2/slow', { signal: controller.signal });
      await waitFor(() => server.apiRequests.length === 1);
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(GenesysAbortedError);
      expect(server.apiRequests).toHaveLength(1);
    });

    it('stops waiting for a retry when aborted during the backoff', async () => {
      const manual = new FakeClock(undefined, { autoAdvance: false });
      server.enqueue({ status: 503, body: {} });
      const controller = new AbortController();
      const pending = transport({ clock: manual, sleep: manual.sleep }).get('/api/v2/x', { signal: controller.signal });
      await waitFor(() => manual.pendingTimers === 1);
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(GenesysAbortedError);
      expect(server.apiRequests).toHaveLength(1);
    });
  });

  describe('rate-limit awareness', () => {
    it('exposes the budget from inin-ratelimit-* headers and waits for the reset when it is spent', async () => {
      server.enqueue(
        { status: 200, body: {}, headers: { 'inin-ratelimit-count': '300', 'inin-ratelimit-allowed': '300', 'inin-ratelimit-reset': '12' } },
        { status: 200, body: {} },
      );
      const t = transport();
      const start = clock.now();
      await t.get('/api/v2/a');
      expect(t.rateLimit).toEqual(expect.objectContaining({ allowed: 300, used: 300, remaining: 0, resetAt: start + 12_000 }));
      await t.get('/api/v2/b');
      expect(clock.now() - start).toBeGreaterThanOrEqual(12_000);
    });

    it('holds a configured rate across many calls', async () => {
      const t = transport({ rateLimit: { requestsPerMinute: 20 } });
      const start = clock.now();
      await Promise.all(Array.from({ length: 50 }, (_, i) => t.get(`/api/v2/${i}`)));
      expect(server.apiRequests).toHaveLength(50);
      // 20 in the first minute, 20 in the second, the last 10 from the third minute on
      expect(clock.now() - start).toBeGreaterThanOrEqual(120_000);
      expect(clock.now() - start).toBeLessThan(180_000);
    });
  });

  describe('secrets', () => {
    it('never puts the client secret or a token in errors or logs', async () => {
      const t = transport();
      const token = await tokens.getToken();
      server.enqueue(
        { status: 503, body: { message: `upstream echoed Authorization: Bearer ${token}` } },
        { status: 400, body: { message: `bad value ${server.clientSecret} and access_token=${token}`, code: 'bad.request' } },
      );
      const error = await t.get('/api/v2/x').catch((e) => e);
      expect(error.status).toBe(400);
      const texts = [error.message, error.stack, JSON.stringify(error), inspect(error, { depth: 10 }), ...logs];
      expect(logs.length).toBeGreaterThan(0);
      for (const text of texts) {
        expect(text).not.toContain(server.clientSecret);
        expect(text).not.toContain(token);
      }
    });

    it('refuses to send the token to another origin', async () => {
      await expect(transport().get('https://evil.example/api/v2/x')).rejects.toThrow(/Refusing to send Genesys credentials/);
      expect(server.apiRequests).toHaveLength(0);
    });
  });

  it('whoAmI reads /api/v2/tokens/me', async () => {
    server.enqueue({ status: 200, body: { organization: { id: 'org-1', name: 'Acme' }, OAuthClient: { id: 'client-1' } } });
    await expect(whoAmI(transport())).resolves.toEqual(
      expect.objectContaining({ organization: { id: 'org-1', name: 'Acme' } }),
    );
    expect(server.apiRequests[0].path).toBe('/api/v2/tokens/me');
  });

  it('turns a refused connection into a connection error', async () => {
    const dead = await ScriptedGenesysServer.start();
    const url = dead.baseUrl;
    await dead.close();
    const t = new GenesysTransport({ apiBaseUrl: url, tokens: { getToken: async () => 'tok-abcdef', invalidate: () => undefined, secrets: () => [] }, clock, sleep: clock.sleep, retry: { maxAttempts: 2 } });
    const error = await t.get('/api/v2/x').catch((e) => e);
    expect(error).toBeInstanceOf(GenesysConnectionError);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.attempts).toBe(2);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition not reached');
}
