import { inspect } from 'node:util';
import { startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { FakeClock } from '../testing';
import { GenesysAuthError } from './errors';
import { createGenesysConnection, type OAuthClientCredentials } from './genesys-client';
import type { GenesysTransport, GenesysTransportOptions } from './transport';

const START = '2026-06-01T12:00:00.000Z'; // on a minute: the sandbox's rate windows are clock-aligned minutes
const REAL_TIME_LIMIT_MS = 15_000;

/**
 * The client pool against the emulator, which counts `rateLimitPerMinute` per OAuth client
 * as Genesys does. Sandbox and transport share one fake clock that moves only when the test
 * says so, so "within one rate window" means: before the clock moves at all.
 */
describe('GenesysTransport client pool against the sandbox', () => {
  let sandbox: RunningSandbox;
  let clock: FakeClock;

  async function start(options: Parameters<typeof startSandbox>[0] = {}, autoAdvance = false) {
    clock = new FakeClock(START, { autoAdvance });
    sandbox = await startSandbox({ seed: 11, conversations: 40, now: clock.now(), clock, clients: 4, ...options });
  }
  afterEach(() => sandbox?.close());

  const connect = (clients: number, transport: Partial<Omit<GenesysTransportOptions, 'apiBaseUrl' | 'tokens'>> = {}, extra: OAuthClientCredentials[] = []) => {
    const [first, ...others] = sandbox.clients.slice(0, clients);
    return createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: first.clientId,
      clientSecret: first.clientSecret,
      additionalClients: [...others.map((client, n) => ({ ...client, source: `GENESYSCLOUD_OAUTHCLIENT_ID_${n + 2}` })), ...extra],
      transport: { clock, sleep: clock.sleep, random: () => 0.5, ...transport },
    });
  };
  const paths = (n: number) => {
    const ids = sandbox.truth.conversationIds();
    return Array.from({ length: n }, (_, i) => `/api/v2/conversations/messages/${ids[i % ids.length]}`);
  };
  const statusCount = (status: string) =>
    Object.values(sandbox.stats.snapshot().requests.byClient).reduce((sum, statuses) => sum + (statuses[status] ?? 0), 0);

  /**
   * Fires `total` GETs at once and returns how many completed before the clock moved, once
   * the transport has nothing left to send in this window (the rest wait on the clock and
   * must fit in the next window).
   */
  async function completedWithinOneWindow(transport: GenesysTransport, total: number, expected: number) {
    let completed = 0;
    const all = Promise.all(paths(total).map((path) => transport.get(path).then(() => completed++)));
    await until(() => completed >= expected);
    // the transport holds the rest on the clock: nothing more goes out in this window
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(clock.now()).toBe(Date.parse(START));
    expect(transport.requestCount).toBe(expected);
    const within = completed;
    await clock.advance(60_000);
    await all;
    return within;
  }

  it('2 clients complete 2x the requests of 1 client within one rate window, with no 429', async () => {
    await start({ rateLimitPerMinute: 30 });
    const rateLimit = { requestsPerMinute: 30, maxConcurrency: 4 };
    const one = connect(1, { rateLimit }).transport;
    expect(await completedWithinOneWindow(one, 60, 30)).toBe(30);
    expect(statusCount('429')).toBe(0);

    await sandbox.close();
    await start({ rateLimitPerMinute: 30 });
    const two = connect(2, { rateLimit }).transport;
    expect(two.limiter.maxConcurrency).toBe(8);
    expect(await completedWithinOneWindow(two, 120, 60)).toBe(60);
    expect(statusCount('429')).toBe(0);
    // each client carried its share, counted by the sandbox per client id and by the transport
    const byClient = sandbox.stats.snapshot().requests.byClient;
    expect(Object.keys(byClient).sort()).toEqual([sandbox.clients[0].clientId, sandbox.clients[1].clientId].sort());
    expect(two.clientStats().map((c) => [c.requests, c.throttled])).toEqual([
      [60, 0],
      [60, 0],
    ]);
  }, 30_000);

  it('4 clients pace on the inin-ratelimit headers alone: 4x the budget, no 429', async () => {
    await start({ rateLimitPerMinute: 20 });
    // no client-side requests-per-minute: each client stops when its own reported budget is spent
    const pool = connect(4, { rateLimit: { maxConcurrency: 1 } }).transport;
    expect(await completedWithinOneWindow(pool, 100, 80)).toBe(80);
    expect(statusCount('429')).toBe(0);
    expect(pool.rateLimit).toMatchObject({ allowed: 80 });
  });

  it('a 429 holds only the client it hit: its request is retried at once on another client, which keeps serving', async () => {
    await start({ rateLimitPerMinute: 3 });
    const [first, second] = sandbox.clients;
    // someone else spends the first client's budget: Genesys counts it per client, whatever the token
    const token = await login(sandbox, first);
    for (let i = 0; i < 3; i++) await fetch(`${sandbox.apiBaseUrl}/api/v2/tokens/me`, { headers: { Authorization: `Bearer ${token}` } });

    const retries: Array<{ status: number; delayMs: number }> = [];
    const { transport } = connect(2, { onRetry: (event) => retries.push({ status: event.status, delayMs: event.delayMs }) });
    // the first call goes to the first client: 429; its retry goes to the second client without waiting
    const throttled = await transport.get<{ OAuthClient: { id: string } }>('/api/v2/tokens/me');
    expect(throttled.data.OAuthClient.id).toBe(second.clientId);
    expect(throttled.attempts).toBe(2);
    expect(retries).toEqual([{ status: 429, delayMs: 0 }]);
    const others = await Promise.all([0, 1].map(() => transport.get<{ OAuthClient: { id: string } }>('/api/v2/tokens/me')));
    expect(others.map((r) => r.data.OAuthClient.id)).toEqual([second.clientId, second.clientId]);
    expect(clock.now()).toBe(Date.parse(START)); // nobody waited
    expect(transport.clientStats()).toEqual([
      expect.objectContaining({ clientId: first.clientId, requests: 1, throttled: 1, pausedUntil: expect.any(Number) }),
      expect.objectContaining({ clientId: second.clientId, requests: 3, throttled: 0 }),
    ]);
    // the pool's budget: what both have left, the earliest reset
    expect(transport.rateLimit).toMatchObject({ allowed: 6, used: 7, remaining: 0, resetAt: Date.parse(START) + 60_000 });

    // both spent: the next call waits for the window to reset, then goes out
    let done = false;
    const next = transport.get('/api/v2/tokens/me').then((r) => ((done = true), r));
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    await clock.advance(60_000);
    expect((await next).status).toBe(200);
    expect(statusCount('429')).toBe(1);
  });

  it('each client re-logs in on its own after a revocation, and the re-login does not reset its budget', async () => {
    await start({ rateLimitPerMinute: 10 });
    const { transport, clients } = connect(2);
    await Promise.all(paths(4).map((path) => transport.get(path)));
    expect(clients.map((c) => c.tokenRequests)).toEqual([1, 1]);
    sandbox.revokeAllTokens();
    await Promise.all(paths(4).map((path) => transport.get(path)));
    expect(clients.map((c) => c.tokenRequests)).toEqual([2, 2]);
    // same window, new tokens: Genesys (and the sandbox) go on counting per client
    expect(clock.now()).toBe(Date.parse(START));
    expect(transport.clientStats().map((c) => c.rateLimit?.used)).toEqual([4, 4]);
    expect(transport.rateLimit).toMatchObject({ allowed: 20, used: 8, remaining: 12 });
  });

  it('keeps every client secret and token out of errors, logs, inspect() and JSON', async () => {
    await start({}, true);
    const logs: string[] = [];
    const wrong = { clientId: '7b0c6a4e-2f7e-4a51-9d0e-5a8f1c2b3d4e', clientSecret: 'wrong-secret-of-client-5-Zq81', source: 'GENESYSCLOUD_OAUTHCLIENT_ID_5 / GENESYSCLOUD_OAUTHCLIENT_SECRET_5' };
    const { transport, clients } = connect(4, { logger: { debug: (m, c) => logs.push(`${m} ${JSON.stringify(c)}`), warn: (m, c) => logs.push(`${m} ${JSON.stringify(c)}`) } }, [wrong]);
    // five calls: one per client, the fifth on the client with the wrong secret
    const results = await Promise.allSettled(paths(5).map((path) => transport.get(path)));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(GenesysAuthError);
    expect(failures[0].message).toContain('GENESYSCLOUD_OAUTHCLIENT_ID_5 / GENESYSCLOUD_OAUTHCLIENT_SECRET_5');

    const secrets = [...sandbox.clients.map((c) => c.clientSecret), wrong.clientSecret];
    const basics = [...sandbox.clients, wrong].map((c) => Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64'));
    const tokens = clients.flatMap((c) => c.secrets());
    const texts = [
      ...failures.flatMap((e) => [e.message, e.stack, JSON.stringify(e), inspect(e, { depth: 10 })]),
      ...logs,
      inspect(transport, { depth: 10 }),
      JSON.stringify(transport),
      ...clients.map((c) => inspect(c, { depth: 10 }) + JSON.stringify(c)),
    ];
    for (const text of texts) {
      for (const secret of [...secrets, ...basics, ...tokens]) expect(text).not.toContain(secret);
    }
    expect(JSON.parse(JSON.stringify(transport)).clients.map((c: { clientId: string }) => c.clientId)).toEqual([...sandbox.clients.map((c) => c.clientId), wrong.clientId]);
  });
});

async function login(sandbox: RunningSandbox, client: { clientId: string; clientSecret: string }): Promise<string> {
  const response = await fetch(`${sandbox.apiBaseUrl}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Waits for HTTP exchanges with the sandbox (real sockets), never longer than REAL_TIME_LIMIT_MS. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + REAL_TIME_LIMIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${REAL_TIME_LIMIT_MS} ms`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
