import { startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { FakeClock } from '../testing';
import { GenesysNotFoundError } from './errors';
import { createGenesysConnection } from './genesys-client';
import type { GenesysTransportOptions } from './transport';
import { whoAmI } from './who-am-i';

/**
 * The transport against the Genesys emulator: real 429 bodies and headers, token
 * expiry and revocation, injected faults. Sandbox and transport share one fake clock,
 * so Retry-After waits and token lifetimes pass without real time passing.
 */
describe('GenesysTransport against the sandbox', () => {
  let sandbox: RunningSandbox;
  let clock: FakeClock;

  async function start(options: Parameters<typeof startSandbox>[0] = {}) {
    clock = new FakeClock('2026-06-01T12:00:00.000Z');
    sandbox = await startSandbox({ seed: 7, conversations: 40, now: clock.now(), clock, ...options });
  }
  afterEach(() => sandbox?.close());

  const connect = (transport: Partial<Omit<GenesysTransportOptions, 'apiBaseUrl' | 'tokens'>> = {}) =>
    createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport: { clock, sleep: clock.sleep, random: () => 0.5, ...transport },
    });

  const conversationIds = () => sandbox.truth.conversationIds().slice(0, 20);

  it('checks credentials with whoAmI and maps a real 404', async () => {
    await start();
    const { transport } = connect();
    const me = await whoAmI(transport);
    expect(me.organization?.id).toEqual(expect.any(String));
    const error = await transport.get('/api/v2/conversations/messages/00000000-0000-4000-8000-000000000000').catch((e) => e);
    expect(error).toBeInstanceOf(GenesysNotFoundError);
    expect(error.contextId).toEqual(expect.any(String));
  });

  it('reads the inin-ratelimit budget and waits for the reset instead of running into 429', async () => {
    await start({ rateLimitPerMinute: 30 });
    const ids = conversationIds();
    const paths = [...ids, ...ids, ...ids].map((id) => `/api/v2/conversations/messages/${id}`);
    const { transport } = connect();
    const started = clock.now();
    // one call after another, so the shared fake clock never runs ahead of a request in flight
    for (const path of paths) await transport.get(path);
    expect(countStatus(sandbox, '429')).toBe(0);
    expect(transport.rateLimit).toEqual(expect.objectContaining({ allowed: 30 }));
    expect(clock.now() - started).toBeGreaterThanOrEqual(60_000);
  });

  it('a concurrent burst past the rate limit still completes every call', async () => {
    await start({ rateLimitPerMinute: 30 });
    const ids = conversationIds();
    const { transport } = connect({ rateLimit: { maxConcurrency: 4 } });
    const results = await Promise.all(
      [...ids, ...ids, ...ids].map((id) => transport.get<{ id: string }>(`/api/v2/conversations/messages/${id}`)),
    );
    expect(results.map((r) => r.data.id)).toEqual([...ids, ...ids, ...ids]);
  });

  it('survives the flaky fault profile (429s, 5xx, resets, truncated bodies) on reads', async () => {
    await start({ faults: 'flaky' });
    const { transport } = connect({ retry: { maxAttempts: 8 } });
    const ids = conversationIds();
    const results = await Promise.all(
      ids.flatMap((id) => [
        transport.get<{ id: string }>(`/api/v2/conversations/messages/${id}`),
        transport.get<{ id: string }>(`/api/v2/conversations/${id}`),
      ]),
    );
    expect(results.map((r) => r.data.id)).toEqual(ids.flatMap((id) => [id, id]));
    const injected = Object.values(sandbox.stats.snapshot().faultsInjected).reduce((a, b) => a + b, 0);
    expect(injected).toBeGreaterThan(0);
  });

  it('renews an expired token and recovers from a revocation with one new grant', async () => {
    await start({ tokenLifetimeSeconds: 300 });
    const { transport, tokens } = connect();
    await transport.get('/api/v2/tokens/me');
    expect(tokens.tokenRequests).toBe(1);
    clock.set(clock.now() + 301_000);
    await transport.get('/api/v2/tokens/me');
    expect(tokens.tokenRequests).toBe(2);
    sandbox.revokeAllTokens();
    await Promise.all(Array.from({ length: 10 }, () => transport.get('/api/v2/tokens/me')));
    expect(tokens.tokenRequests).toBe(3);
  });
});

function countStatus(sandbox: RunningSandbox, status: string): number {
  const byRoute = sandbox.stats.snapshot().requests.byRoute;
  return Object.values(byRoute).reduce((sum, statuses) => sum + (statuses[status] ?? 0), 0);
}
