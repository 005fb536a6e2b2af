import { DAY, expectArchiveMatchesSandbox, NOW, startHarness, type Harness, type WorldOptions } from '../test/archive-harness';
import type { BackfillNotice } from './archive-job.service';
import { RunLease } from './lease/run-lease';
import { checkpointNames } from './window/archive-window';

const WORLD: WorldOptions = { seed: 31, conversations: 60, days: 2 };
const LEASE_MS = 30_000;

/**
 * What kill -9 of the replica running the job leaves behind: its run lease naming the
 * window it was archiving, conversations leased to it, and its job run `running`.
 */
async function crashedHolder(h: Harness, owner: string): Promise<{ queue: string; items: number[]; jobRunId: number }> {
  const stop = new AbortController();
  const first = await h
    .job({ owner, leaseMs: LEASE_MS, maxWindowsPerRun: 1, shutdownGraceMs: 0, observer: { conversation: () => stop.abort() } })
    .run({ signal: stop.signal });
  const { queue } = first.windows[0];
  const window = { start: Date.parse(first.windows[0].start), end: Date.parse(first.windows[0].end) };
  const lease = new RunLease(h.store, checkpointNames.lease('archive'), owner, LEASE_MS, h.clock);
  expect(await lease.tryAcquire()).toBe(true);
  await lease.renew({ queue, window, searching: false });
  const items = await h.store.workItems.claim(queue, { owner, limit: 3, leaseMs: LEASE_MS });
  const jobRun = await h.store.jobRuns.start('archive', { owner });
  // the first (stopped) run ended its own row; the crashed one is the row left running
  return { queue, items: items.map((item) => item.id), jobRunId: jobRun.id };
}

describe('ArchiveJob takeover and resumption (sandbox, fake clock)', () => {
  jest.setTimeout(60_000);
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness(WORLD);
  });

  afterEach(() => h?.close());

  it('a replica whose holder died helps its queue, takes the run over once the lease expires, and ends the dead run abandoned', async () => {
    const dead = await crashedHolder(h, 'replica-a');
    const takeovers: unknown[] = [];
    const startedAt = h.clock.now();
    const summary = await h
      .job({ owner: 'replica-b', leaseMs: LEASE_MS, isOwnerGone: () => false, observer: { leaseTakenOver: (event) => takeovers.push(event) } })
      .run();

    expect(summary).toMatchObject({ role: 'coordinator', status: 'succeeded' });
    expect(takeovers).toEqual([expect.objectContaining({ from: 'replica-a', by: 'replica-b', processGone: false })]);
    // within a lease (plus the poll that notices), not the old 5 minutes
    expect(h.clock.now() - startedAt).toBeLessThan(LEASE_MS + 10_000);
    for (const id of dead.items) expect((await h.store.workItems.get(id))?.status).toBe('done');
    const abandoned = await h.store.jobRuns.get(dead.jobRunId);
    expect(abandoned).toMatchObject({ status: 'abandoned', owner: 'replica-a' });
    expect(abandoned?.errors.at(-1)).toContain('noticed by replica-b');
    expect(await h.store.jobRuns.running(['archive', 'archive:backfill'])).toEqual([]);
    expect(await h.store.workItems.countByStatus(dead.queue)).toMatchObject({ pending: 0, 'in-flight': 0 });
    await expectArchiveMatchesSandbox(h, summary);
  });

  it('takes over at once, without waiting for the lease, when the holder process is known to be gone', async () => {
    const dead = await crashedHolder(h, 'gcm-cli@host:4242');
    const startedAt = h.clock.now();
    const summary = await h.job({ owner: 'gcm-cli@host:4343', leaseMs: LEASE_MS, isOwnerGone: (owner) => owner === 'gcm-cli@host:4242' }).run();

    expect(summary).toMatchObject({ role: 'coordinator', status: 'succeeded' });
    expect(h.clock.now() - startedAt).toBeLessThan(LEASE_MS);
    expect((await h.store.jobRuns.get(dead.jobRunId))?.status).toBe('abandoned');
    for (const id of dead.items) expect((await h.store.workItems.get(id))?.status).toBe('done');
    await expectArchiveMatchesSandbox(h, summary);
  });

  it('a scheduled run takes the windows due when it starts and ends, however long it takes', async () => {
    const start = Date.parse(NOW) - 3 * DAY;
    const job = h.job({ startAt: start, maxWindowMs: DAY / 4, maxWindowsPerRun: 1_000, settleDelayMs: 0, minWindowMs: 1 });
    const began = h.clock.now();
    const summary = await job.run();
    // the fake clock moved while it worked; the run did not chase it
    expect(h.clock.now()).toBeGreaterThan(began);
    expect(summary.status).toBe('succeeded');
    expect(Date.parse(summary.watermark ?? '')).toBe(began);
    expect(summary.windows.length).toBe(12);
    const next = await job.run();
    expect(next.windows.length).toBeGreaterThanOrEqual(1);
    expect(Date.parse(next.windows[0].start)).toBe(began);
  });

  it('a named backfill request continues the window it resolved first, after a crash, until it is complete; restart closes it', async () => {
    const first = { start: Date.parse(NOW) - 3 * DAY, end: Date.parse(NOW) - DAY };
    const stop = new AbortController();
    let seen = 0;
    const interrupted = await h
      .job({ leaseMs: LEASE_MS, shutdownGraceMs: 0, observer: { conversation: () => ++seen >= 10 && stop.abort() } })
      .backfill(first, { request: { key: 'from=3d,to=1d' }, signal: stop.signal });
    expect(interrupted.status).toBe('cancelled');
    const queue = interrupted.windows[0].queue;

    // the same relative request an hour later resolves to another window: the stored one wins
    h.clock.set(h.clock.now() + 3_600_000);
    const later = { start: first.start + 3_600_000, end: first.end + 3_600_000 };
    const notices: BackfillNotice[] = [];
    const resumed = await h.job({ leaseMs: LEASE_MS }).backfill(later, { request: { key: 'from=3d,to=1d' }, onNotice: (notice) => notices.push(notice) });
    expect(resumed).toMatchObject({ status: 'succeeded', role: 'coordinator', windows: [expect.objectContaining({ queue, resumed: true, complete: true })] });
    const resuming = notices.find((notice) => notice.kind === 'resuming');
    expect(resuming).toMatchObject({ kind: 'resuming', window: first });
    expect((resuming as { done: number }).done).toBeGreaterThanOrEqual(1);
    expect(await h.store.workItems.countByStatus(queue)).toMatchObject({ pending: 0, 'in-flight': 0 });
    expect(await h.store.jobRuns.running(['archive', 'archive:backfill'])).toEqual([]);

    // once complete, the same request resolves afresh
    const fresh = await h.job({ leaseMs: LEASE_MS }).backfill(later, { request: { key: 'from=3d,to=1d' } });
    expect(fresh.windows[0]).toMatchObject({ start: new Date(later.start).toISOString(), resumed: false });

    // --restart drops an unfinished window: its open items are closed, never left pending
    const stop2 = new AbortController();
    let seen2 = 0;
    const cut = await h
      .job({ leaseMs: LEASE_MS, shutdownGraceMs: 0, observer: { conversation: () => ++seen2 >= 3 && stop2.abort() } })
      .backfill(first, { request: { key: 'from=8d' }, signal: stop2.signal });
    const restartNotices: BackfillNotice[] = [];
    const restarted = await h
      .job({ leaseMs: LEASE_MS })
      .backfill(later, { request: { key: 'from=8d', restart: true }, onNotice: (notice) => restartNotices.push(notice) });
    expect(restarted.status).toBe('succeeded');
    expect(restartNotices[0]).toMatchObject({ kind: 'restarting', previous: first });
    expect(await h.store.workItems.countByStatus(cut.windows[0].queue)).toMatchObject({ pending: 0, 'in-flight': 0 });
  });

  it('two backfills of one window share it: the second helps the first, and each conversation is archived once', async () => {
    const window = { start: Date.parse(NOW) - 3 * DAY, end: Date.parse(NOW) };
    let startSecond!: () => void;
    const secondMayStart = new Promise<void>((resolve) => (startSecond = resolve));
    const a = h.job({ owner: 'cli-a', leaseMs: LEASE_MS, concurrency: 2, observer: { conversation: () => startSecond() } });
    const b = h.job({ owner: 'cli-b', leaseMs: LEASE_MS, concurrency: 2 });
    const notices: BackfillNotice[] = [];
    const [first, second] = await Promise.all([
      a.backfill(window, { waitForLease: true }),
      secondMayStart.then(() => b.backfill(window, { waitForLease: true, onNotice: (notice) => notices.push(notice) })),
    ]);
    expect(first).toMatchObject({ role: 'coordinator', status: 'succeeded' });
    expect(second).toMatchObject({ role: 'helper', status: 'succeeded' });
    expect(second.archived).toBeGreaterThan(0);
    expect(first.archived + second.archived).toBe(first.found);
    expect(notices.map((notice) => notice.kind)).toEqual(expect.arrayContaining(['waiting', 'helping']));
    const waiting = notices.find((notice) => notice.kind === 'waiting') as { message: string };
    expect(waiting.message).toMatch(/^cli-a holds the run lease since .*; it expires at .* unless renewed; helping it meanwhile$/);
    for await (const id of h.sink.conversationIds()) expect(await h.store.archiveIndex.versions(id)).toHaveLength(1);
  });

  it('a caught-up scheduled run adopts a backfill window left unfinished by a process that is gone', async () => {
    const window = { start: Date.parse(NOW) - 2 * DAY, end: Date.parse(NOW) - DAY };
    const stop = new AbortController();
    let seen = 0;
    const cut = await h
      .job({ owner: 'gcm-cli@host:1', leaseMs: LEASE_MS, concurrency: 1, shutdownGraceMs: 0, observer: { conversation: () => ++seen >= 3 && stop.abort() } })
      .backfill(window, { signal: stop.signal });
    expect(cut.status).toBe('cancelled');
    const queue = cut.windows[0].queue;
    expect((await h.store.workItems.countByStatus(queue)).pending).toBeGreaterThan(0);

    const scheduled = await h.job({ owner: 'scheduler-1', leaseMs: LEASE_MS }).run();
    expect(scheduled.status).toBe('succeeded');
    expect(scheduled.windows.map((report) => report.queue)).toContain(queue);
    expect(await h.store.workItems.countByStatus(queue)).toMatchObject({ pending: 0, 'in-flight': 0 });
    expect(await h.store.workItems.openQueues('archive:')).toEqual([]);
  });
});
