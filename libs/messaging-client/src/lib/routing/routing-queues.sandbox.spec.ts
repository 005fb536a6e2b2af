import { createGenesysConnection } from '@gcm/genesys-auth';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { RoutingQueueDirectory } from './routing-queues';

const ROUTE = 'GET /api/v2/routing/queues';
const NOW = '2026-03-01T12:00:00.000Z';

describe('RoutingQueueDirectory against the sandbox', () => {
  let sandbox: RunningSandbox;
  let clock: FakeClock;

  beforeAll(async () => {
    clock = new FakeClock(NOW);
    sandbox = await startSandbox({ seed: 42, conversations: 1, now: NOW, clock });
  });
  afterAll(() => sandbox.close());

  const directory = (options: { pageSize?: number; ttlMs?: number } = {}) => {
    const { transport } = createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport: { clock, sleep: clock.sleep },
    });
    return new RoutingQueueDirectory({ transport, clock, ...options });
  };

  it('reads every page of the QueueEntityListing, sorted by name, with the real paging fields', async () => {
    const info = (await (await fetch(`${sandbox.apiBaseUrl}/__sandbox/info`)).json()) as { queues: Array<{ id: string; name: string; divisionId: string }> };
    sandbox.stats.reset();
    const queues = await directory({ pageSize: 4 }).list();
    expect(sandbox.stats.count(ROUTE, 200)).toBe(2);
    expect(queues.map((q) => q.name)).toEqual(info.queues.map((q) => q.name).sort((a, b) => a.localeCompare(b)));
    expect(queues[0]).toMatchObject({ id: expect.any(String), name: expect.any(String), division: { id: expect.any(String), name: expect.any(String) }, selfUri: `/api/v2/routing/queues/${queues[0].id}` });

    // the listing itself, as the SDK's QueueEntityListing names its fields
    const { transport } = createGenesysConnection({ apiBaseUrl: sandbox.apiBaseUrl, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret, transport: { clock, sleep: clock.sleep } });
    const first = (await transport.get<Record<string, unknown>>('/api/v2/routing/queues', { query: { pageSize: 4, pageNumber: 1 } })).data;
    expect(first).toMatchObject({ pageSize: 4, pageNumber: 1, total: info.queues.length, pageCount: 2, nextUri: expect.stringContaining('pageNumber=2') });
    expect(first).not.toHaveProperty('previousUri');
    const named = (await transport.get<{ entities: Array<{ name: string }> }>('/api/v2/routing/queues', { query: { name: 'bill*' } })).data;
    expect(named.entities.map((q) => q.name)).toEqual(['Billing Questions']);
    await expect(transport.get('/api/v2/routing/queues', { query: { pageSize: 501 } })).rejects.toMatchObject({ status: 400 });
  });

  it('keeps the listing for its TTL, shares one read between concurrent callers, and reads again after', async () => {
    const queues = directory({ ttlMs: 60_000 });
    sandbox.stats.reset();
    await Promise.all([queues.list(), queues.names(), queues.find('Orders')]);
    expect(sandbox.stats.count(ROUTE)).toBe(1);
    await clock.advance(59_000);
    await queues.list();
    expect(sandbox.stats.count(ROUTE)).toBe(1);
    await clock.advance(1_000);
    await queues.list();
    expect(sandbox.stats.count(ROUTE)).toBe(2);
  });

  it('finds a queue by id or by name (case-insensitive), and nothing for anything else', async () => {
    const queues = directory();
    const [orders] = await queues.find('orders');
    expect(orders.name).toBe('Orders');
    expect((await queues.find(orders.id.toUpperCase())).map((q) => q.name)).toEqual(['Orders']);
    expect(await queues.find('../../x')).toEqual([]);
    expect(await queues.find('00000000-0000-4000-8000-000000000000')).toEqual([]);
    expect((await queues.names()).get(orders.id)).toBe('Orders');
  });
});
