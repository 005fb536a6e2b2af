import { FakeClock } from '@gcm/genesys-auth/testing';
import type { HistorySource } from '@gcm/history-timeline';
import type { ConversationSearch, ConversationSearchStream, DetailsSearchOptions } from '@gcm/search-stream';
import { FileSystemArchiveSink, type StoreDatabase } from '@gcm/store';
import { planTestDatabases, TestDatabase } from '@gcm/store/testing';
import { DAY, expectArchiveMatchesSandbox, NOW, startHarness, type Harness, type WorldOptions } from '../test/archive-harness';
import { ArchiveJob } from './archive-job.service';
import type { ConversationEvent } from './archive-observer';

const WORLD: WorldOptions = { seed: 5, conversations: 40, days: 2 };
const MINUTE = 60_000;

/** Reads of one conversation fail (`times` times, or always) with a 503-like error. */
function failingFor(messaging: HistorySource, conversationId: string, times = Infinity): HistorySource {
  let failures = 0;
  return {
    getConversation: (id, options) => messaging.getConversation(id, options),
    getMessagesBulk: (id, ids, options) => messaging.getMessagesBulk(id, ids, options),
    getMessageConversation: async (id, options) => {
      if (id === conversationId && failures < times) {
        failures++;
        throw new Error(`Genesys answered 503 for ${id} (test)`);
      }
      return messaging.getMessageConversation(id, options);
    },
  };
}

describe('ArchiveJob behaviour (sandbox, fake clock)', () => {
  jest.setTimeout(30_000);
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness(WORLD);
  });

  afterEach(() => h?.close());

  it('retries a failing conversation with backoff, then parks it without blocking the run', async () => {
    const [victim] = h.sandbox.truth.conversationIds();
    const events: Array<ConversationEvent & { at: number }> = [];
    const job = h.job({
      messaging: failingFor(h.messaging, victim),
      retry: { maxAttempts: 3, baseDelayMs: 2_000, maxDelayMs: 10_000 },
      random: () => 0.5,
      maxWindowsPerRun: 1,
      observer: { conversation: (event) => events.push({ ...event, at: h.clock.now() }) },
    });

    const summary = await job.run();

    expect(summary).toMatchObject({ status: 'partial', parked: 1, failed: 2, archived: summary.found - 1 });
    expect(summary.windows[0].complete).toBe(true);
    expect(summary.watermark).toBe(summary.windows[0].end);
    const attempts = events.filter((event) => event.conversationId === victim);
    expect(attempts.map((event) => [event.outcome, event.attempt])).toEqual([
      ['failed', 1],
      ['failed', 2],
      ['parked', 3],
    ]);
    // full jitter with random 0.5: 1 s after the first failure, 2 s after the second
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(1_000);
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(2_000);
    const [dead] = await h.store.workItems.list(summary.windows[0].queue, 'dead');
    expect(dead).toMatchObject({ key: victim, attempts: 3 });
    expect(dead.lastError).toContain('Genesys answered 503');
    const failedEvents = (await h.store.outbox.list('webhook', 'pending', 1_000))
      .map((message) => JSON.parse(message.payload))
      .filter((event) => event.type === 'archive.failed');
    expect(failedEvents).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ conversationId: victim, attempts: 3, runId: summary.runId }) }),
    ]);
    expect(h.audit.records.filter((record) => record.action === 'conversation.archive.parked').map((record) => record.target)).toEqual([victim]);
    expect(await h.sink.versions(victim)).toEqual([]);
  });

  it('archives a conversation that fails twice and then succeeds', async () => {
    const [victim] = h.sandbox.truth.conversationIds();
    const summary = await h.job({ messaging: failingFor(h.messaging, victim, 2), maxWindowsPerRun: 1 }).run();
    expect(summary).toMatchObject({ status: 'succeeded', failed: 2, parked: 0, archived: summary.found });
    await expectArchiveMatchesSandbox(h, summary);
  });

  it('stopped mid-run, hands its work back; the next run continues the window with no duplicates', async () => {
    const stop = new AbortController();
    let outcomes = 0;
    const first = await h
      .job({
        shutdownGraceMs: 0,
        maxWindowsPerRun: 1,
        observer: { conversation: () => ++outcomes === 20 && stop.abort() },
      })
      .run({ signal: stop.signal });

    expect(first).toMatchObject({ status: 'cancelled', windows: [expect.objectContaining({ complete: false })] });
    expect(first.archived).toBeGreaterThanOrEqual(20);
    expect(first.archived).toBeLessThan(first.found);
    const queue = first.windows[0].queue;
    expect((await h.store.workItems.countByStatus(queue))['in-flight']).toBe(0);
    const status = await h.job().status();
    expect(status.window?.queue).toBe(queue);
    expect(status.watermark).toBe(new Date(Date.parse(NOW) - 3 * DAY).toISOString());
    expect(status.runningOn).toBeUndefined();

    const second = await h.job({ maxWindowsPerRun: 1 }).run();
    expect(second).toMatchObject({ status: 'succeeded', windows: [expect.objectContaining({ queue, complete: true, resumed: true })] });
    expect(first.archived + second.archived).toBe(second.found);
    await expectArchiveMatchesSandbox(h, second);
  });

  it('resumes an interrupted search from its saved position', async () => {
    const calls: DetailsSearchOptions[] = [];
    const stop = new AbortController();
    const search: Pick<ConversationSearch, 'search'> = {
      search: (criteria, options = {}) => {
        calls.push(options);
        const stream = h.search.search(criteria, options);
        let yielded = 0;
        return {
          resumeToken: () => stream.resumeToken(),
          releaseFinishedJobs: () => stream.releaseFinishedJobs(),
          async *[Symbol.asyncIterator]() {
            for await (const summary of stream) {
              yield summary;
              if (++yielded === 25 && calls.length === 1) stop.abort();
            }
          },
        } as unknown as ConversationSearchStream;
      },
    };

    const first = await h.job({ search, discoveryBatchSize: 10, maxWindowsPerRun: 1 }).run({ signal: stop.signal });
    expect(first.status).toBe('cancelled');
    const second = await h.job({ search, discoveryBatchSize: 10, maxWindowsPerRun: 1 }).run();

    expect(calls).toHaveLength(2);
    expect(calls[0].resumeFrom).toBeUndefined();
    expect(calls[1].resumeFrom).toEqual(expect.any(String));
    expect(second).toMatchObject({ status: 'succeeded', windows: [expect.objectContaining({ resumed: true, complete: true })] });
    await expectArchiveMatchesSandbox(h, second);
  });

  it('takes its own orphaned conversations back at once after a crash, and a dead replica\'s once their leases expire', async () => {
    const stop = new AbortController();
    const leaseMs = 5 * MINUTE;
    const first = await h
      .job({ leaseMs, maxWindowsPerRun: 1, shutdownGraceMs: 0, observer: { conversation: () => stop.abort() } })
      .run({ signal: stop.signal });
    const queue = first.windows[0].queue;
    // what kill -9 leaves behind: leases held by this replica and by one that never comes back
    const own = await h.store.workItems.claim(queue, { owner: 'replica-a', limit: 3, leaseMs });
    const foreign = await h.store.workItems.claim(queue, { owner: 'replica-z', limit: 3, leaseMs });
    expect(own).toHaveLength(3);
    expect(foreign).toHaveLength(3);

    const restartedAt = h.clock.now();
    const second = await h.job({ leaseMs, maxWindowsPerRun: 1 }).run();

    expect(second).toMatchObject({ status: 'succeeded', windows: [expect.objectContaining({ complete: true })] });
    // the dead replica's items waited for their leases; our own did not
    expect(h.clock.now() - restartedAt).toBeGreaterThanOrEqual(leaseMs);
    for (const item of [...own, ...foreign]) expect((await h.store.workItems.get(item.id))?.status).toBe('done');
    await expectArchiveMatchesSandbox(h, second);
  });

  it('reclaims its own orphans without waiting for their leases', async () => {
    const stop = new AbortController();
    const leaseMs = 30 * MINUTE;
    const first = await h
      .job({ leaseMs, maxWindowsPerRun: 1, shutdownGraceMs: 0, observer: { conversation: () => stop.abort() } })
      .run({ signal: stop.signal });
    await h.store.workItems.claim(first.windows[0].queue, { owner: 'replica-a', limit: 5, leaseMs });
    const restartedAt = h.clock.now();
    const second = await h.job({ leaseMs, maxWindowsPerRun: 1 }).run();
    expect(second.status).toBe('succeeded');
    expect(h.clock.now() - restartedAt).toBeLessThan(leaseMs);
  });

  it('works through several windows when behind, moving the watermark after each', async () => {
    const summary = await h.job({ maxWindowMs: DAY, maxWindowsPerRun: 20 }).run();
    const start = Date.parse(NOW) - 3 * DAY;
    expect(summary.status).toBe('succeeded');
    expect(summary.windows.length).toBeGreaterThanOrEqual(3);
    expect(summary.windows[0].start).toBe(new Date(start).toISOString());
    expect(summary.windows[0].end).toBe(new Date(start + DAY).toISOString());
    summary.windows.slice(1).forEach((window, index) => expect(window.start).toBe(summary.windows[index].end));
    expect(summary.windows.every((window) => window.complete)).toBe(true);
    expect(summary.watermark).toBe(summary.windows[summary.windows.length - 1].end);
    // a conversation active in two windows is synced in both, and archived once unless it changed
    expect(summary.archived + summary.unchanged).toBe(summary.found);
    const ids = h.sandbox.truth.conversationIds({ to: Date.parse(summary.watermark ?? '') });
    for (const id of ids) expect((await h.sink.versions(id)).length).toBeGreaterThanOrEqual(1);
  });

  it('takes on no conversation while the Genesys rate budget is spent, and carries on once it resets', async () => {
    const resetAt = h.clock.now() + 45_000;
    const budget = { remaining: 0, resetAt };
    const transport = { get requestCount() { return h.transport.requestCount; }, rateLimit: budget };
    const starts: number[] = [];
    const summary = await h.job({ transport, maxWindowsPerRun: 1, observer: { conversation: () => starts.push(h.clock.now()) } }).run();
    expect(summary.status).toBe('succeeded');
    expect(starts.length).toBe(summary.found);
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(resetAt);
  });

  it('never archives more conversations at once than the transport limiter allows', async () => {
    await h.close();
    h = await startHarness(WORLD, { rateLimit: { maxConcurrency: 2 } });
    let inFlight = 0;
    let most = 0;
    const counting: HistorySource = {
      getConversation: (id, options) => h.messaging.getConversation(id, options),
      getMessageConversation: (id, options) => {
        most = Math.max(most, ++inFlight);
        return h.messaging.getMessageConversation(id, options);
      },
      getMessagesBulk: async (id, ids, options) => {
        try {
          return await h.messaging.getMessagesBulk(id, ids, options);
        } finally {
          inFlight--;
        }
      },
    };
    const summary = await h.job({ messaging: counting, concurrency: 8, maxWindowsPerRun: 1 }).run();
    expect(summary.status).toBe('succeeded');
    expect(most).toBe(2);
  });
});

const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);

describe.each(plan.engines)('%s: two replicas on one database', (engine) => {
  const clock = new FakeClock(NOW);
  let database: TestDatabase;
  let h: Harness;

  beforeAll(async () => {
    database = await TestDatabase.create(engine, plan, { clock });
  });

  afterAll(async () => {
    await h?.close();
    await database?.dispose();
  });

  it('one coordinates, the other helps with its queue, and each conversation is archived exactly once', async () => {
    const world = { seed: 9, conversations: 150, days: 2 };
    const storeA: StoreDatabase = database.store;
    h = await startHarness(world, { store: storeA, clock });
    const storeB = await database.openAnother();
    let startB!: () => void;
    const bMayStart = new Promise<void>((resolve) => (startB = resolve));
    const replicaA = h.job({ owner: 'replica-a', maxWindowsPerRun: 1, observer: { conversation: () => startB() } });
    const replicaB = new ArchiveJob({
      store: storeB,
      sink: new FileSystemArchiveSink({ root: h.root, clock: h.clock }),
      search: h.search,
      messaging: h.messaging,
      transport: h.transport,
      webhooks: h.webhooks,
      clock: h.clock,
      sleep: h.clock.sleep,
      owner: 'replica-b',
      startAt: Date.parse(NOW) - 3 * DAY,
      maxWindowMs: 4 * DAY,
      maxWindowsPerRun: 1,
    });

    const [a, b] = await Promise.all([replicaA.run(), bMayStart.then(() => replicaB.run())]);

    expect(a).toMatchObject({ role: 'coordinator', status: 'succeeded' });
    expect(b).toMatchObject({ role: 'helper', status: 'succeeded' });
    expect(b.archived).toBeGreaterThan(0);
    expect(a.archived + b.archived).toBe(a.found);
    await expectArchiveMatchesSandbox(h, a);
    for await (const id of h.sink.conversationIds()) expect(await storeA.archiveIndex.versions(id)).toHaveLength(1);
  }, 60_000);
});
