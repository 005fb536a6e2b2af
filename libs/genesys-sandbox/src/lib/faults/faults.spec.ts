import { ManualClock, RunningSandbox } from '../../index';
import { SandboxApiClient, startTestSandbox } from '../../test/sandbox-api-client';
import { FaultConfigError, parseFaultSpec, resolveFaultSettings } from './fault-profiles';

describe('fault settings', () => {
  it('parses a profile with single overrides', () => {
    const settings = parseFaultSpec('flaky,reset=0.2,latencyMs=15');
    expect(settings).toMatchObject({ http429: 0.05, reset: 0.2, latencyMs: 15, revokeTokenAfterRequests: 50 });
    expect(resolveFaultSettings({ profile: 'throttled', rateLimitPerMinute: 5 }).rateLimitPerMinute).toBe(5);
    expect(resolveFaultSettings(undefined).http500).toBe(0);
  });

  it('explains what is wrong with a bad spec', () => {
    expect(() => parseFaultSpec('stormy')).toThrow(new FaultConfigError('unknown fault profile "stormy"; known profiles: none, flaky, throttled, chaos'));
    expect(() => parseFaultSpec('none,http500=2')).toThrow(/http500 must be between 0 and 1/);
    expect(() => parseFaultSpec('http500=0.6,http503=0.6')).toThrow(/add up to 1.200/);
    expect(() => parseFaultSpec('none,colour=1')).toThrow(/unknown fault setting "colour"/);
    expect(() => parseFaultSpec('reset=0.1,flaky')).toThrow(/must come first/);
  });
});

describe('fault injection over HTTP', () => {
  let sandbox: RunningSandbox;
  let clock: ManualClock;
  let api: SandboxApiClient;
  const sleeps: number[] = [];

  beforeAll(async () => {
    ({ sandbox, clock, api } = await startTestSandbox({
      rateLimitPerMinute: 3,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    }));
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    sandbox.setFaults('none');
    clock.advance(60_000);
    await api.login();
  });

  it('enforces the per-client rate limit with inin-ratelimit headers and the real 429', async () => {
    clock.set(Math.ceil(clock.now() / 60_000) * 60_000 + 15_000);
    for (let n = 1; n <= 3; n++) {
      const ok = await api.get('/api/v2/tokens/me');
      expect(ok.status).toBe(200);
      expect(ok.headers.get('inin-ratelimit-count')).toBe(String(n));
      expect(ok.headers.get('inin-ratelimit-allowed')).toBe('3');
      expect(ok.headers.get('inin-ratelimit-reset')).toBe('45');
    }
    const limited = await api.get('/api/v2/tokens/me');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('45');
    expect(limited.body).toEqual({
      message: 'Rate limit exceeded the maximum. Retry the request in [45] seconds',
      code: 'too.many.requests.retry.after',
      status: 429,
      messageWithParams: 'Rate limit exceeded the maximum. Retry the request in [{retryAfterSeconds}] seconds',
      messageParams: { retryAfterSeconds: '45' },
      contextId: limited.headers.get('inin-correlation-id'),
      details: [],
      errors: [],
    });
    clock.advance(45_000);
    expect((await api.get('/api/v2/tokens/me')).status).toBe(200);
    expect(sandbox.stats.snapshot().faultsInjected.rateLimited).toBeGreaterThanOrEqual(1);
  });

  it('injects 429, 5xx and proxy HTML answers', async () => {
    sandbox.setFaults({ http429: 1, retryAfterSeconds: 7 });
    const throttled = await api.get('/api/v2/tokens/me');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(throttled.body).toMatchObject({ code: 'too.many.requests.retry.after', message: 'Rate limit exceeded the maximum. Retry the request in [7] seconds' });

    sandbox.setFaults({ http500: 1 });
    expect((await api.get('/api/v2/tokens/me')).body).toMatchObject({ status: 500, code: 'internal.server.error' });
    sandbox.setFaults({ http503: 1 });
    const unavailable = await api.get('/api/v2/tokens/me');
    expect(unavailable.body).toMatchObject({ status: 503, code: 'service.unavailable' });
    expect(unavailable.headers.get('retry-after')).toBe('1');
    sandbox.setFaults({ http504: 1 });
    expect((await api.get('/api/v2/tokens/me')).body).toMatchObject({ status: 504, code: 'request.timeout' });

    sandbox.setFaults({ http502: 1 });
    const badGateway = await api.get('/api/v2/tokens/me');
    expect(badGateway.status).toBe(502);
    expect(badGateway.headers.get('content-type')).toBe('text/html');
    expect(badGateway.text).toContain('502 Bad Gateway');
    expect(badGateway.headers.get('inin-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    sandbox.setFaults({ html: 1 });
    const proxy = await api.get('/api/v2/tokens/me');
    expect(proxy.status).toBe(503);
    expect(proxy.text).toMatch(/^<html>/);
  });

  it('drops connections and truncates bodies', async () => {
    sandbox.setFaults({ reset: 1 });
    await expect(api.get('/api/v2/tokens/me')).rejects.toThrow();
    sandbox.setFaults({ truncate: 1 });
    await expect(api.get('/api/v2/tokens/me')).rejects.toThrow();
    const stats = sandbox.stats.snapshot();
    expect(stats.faultsInjected.reset).toBeGreaterThanOrEqual(1);
    expect(stats.faultsInjected.truncate).toBeGreaterThanOrEqual(1);
    expect(stats.requests.byRoute['GET /api/v2/tokens/me'].reset).toBeGreaterThanOrEqual(1);
  });

  it('adds latency through the injected sleep', async () => {
    sandbox.setFaults({ latencyMs: 12 });
    sleeps.length = 0;
    expect((await api.get('/api/v2/tokens/me')).status).toBe(200);
    expect(sleeps).toEqual([12]);
  });

  it('revokes a token after N requests, once', async () => {
    sandbox.setFaults({ revokeTokenAfterRequests: 2, revokeTokenLimit: 1 });
    const token = await api.login();
    expect((await api.get('/api/v2/tokens/me', { token })).status).toBe(200);
    expect((await api.get('/api/v2/tokens/me', { token })).status).toBe(200);
    const revoked = await api.get('/api/v2/tokens/me', { token });
    expect(revoked.status).toBe(401);
    expect(revoked.body.code).toBe('bad.credentials');
    const fresh = await api.login();
    // the rate limit counts per client, not per token: a fresh window for three more calls
    clock.advance(60_000);
    for (let n = 0; n < 3; n++) expect((await api.get('/api/v2/tokens/me', { token: fresh })).status).toBe(200);
  });

  it('never faults /__sandbox/* and can change the profile at runtime over HTTP', async () => {
    sandbox.setFaults({ http500: 1 });
    expect((await api.get('/__sandbox/stats', { auth: false })).status).toBe(200);
    const changed = await api.post('/__sandbox/faults', { spec: 'none' }, { auth: false });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ http500: 0, rateLimitPerMinute: 3 });
    expect((await api.get('/api/v2/tokens/me')).status).toBe(200);
    const invalid = await api.post('/__sandbox/faults', { spec: 'stormy' }, { auth: false });
    expect(invalid.status).toBe(400);
  });
});

describe('seeded fault replay', () => {
  async function run(): Promise<string[]> {
    const { sandbox, api } = await startTestSandbox({ faults: 'chaos', sleep: async () => undefined });
    const outcomes: string[] = [];
    try {
      for (let n = 0; n < 80; n++) {
        try {
          if (!api.token) await api.login();
          const res = await api.get('/api/v2/tokens/me');
          outcomes.push(String(res.status));
          if (res.status === 401) api.token = undefined;
        } catch {
          outcomes.push('dropped');
          api.token = undefined;
        }
      }
    } finally {
      await sandbox.close();
    }
    return outcomes;
  }

  it('fails in exactly the same places in two runs with the same seed', async () => {
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    const kinds = new Set(first);
    expect(kinds.has('200')).toBe(true);
    expect(kinds.size).toBeGreaterThanOrEqual(4);
  });
});
