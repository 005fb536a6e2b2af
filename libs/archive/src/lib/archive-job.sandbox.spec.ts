import type { ArchiveCatalogEntry } from '@gcm/store';
import { inspectArchive } from '../testing';
import { catalogEntryOf, rebuildArchiveCatalog, type CatalogSource } from './catalog/archive-catalog';
import { archiveFiles, DAY, expectedArchive, NOW, startHarness, type Harness, type WorldOptions } from '../test/archive-harness';
import type { ArchiveJob } from './archive-job.service';
import type { ArchiveRunSummary } from './archive-run-summary';

const LONG = process.env['GCM_LONG_TESTS'] === '1';
const WORLD: WorldOptions = { seed: 23, conversations: LONG ? 2_000 : 300, days: 2, faults: 'flaky' };

describe(`ArchiveJob against a flaky sandbox (${WORLD.conversations} conversations: 5% 429, 5% 5xx, resets, a revoked token)`, () => {
  let harness: Harness;
  let job: ArchiveJob;
  let first: ArchiveRunSummary;
  let elapsedMs: number;

  beforeAll(async () => {
    harness = await startHarness(WORLD);
    // one window: the fake clock moves while the run works, and a second run would find
    // the conversations active since
    job = harness.job({ maxWindowsPerRun: 1 });
    const started = performance.now();
    first = await job.run();
    elapsedMs = performance.now() - started;
    process.stdout.write(
      `archive run: ${WORLD.conversations} conversations in ${Math.round(elapsedMs)} ms, ` +
        `${first.apiCalls} API calls (${(first.apiCalls / first.found).toFixed(2)} per conversation), ${first.failed} failed attempts retried\n`,
    );
  }, 120_000);

  afterAll(() => harness?.close());

  it('archives every conversation of the window and moves the watermark to its end', async () => {
    expect(first).toMatchObject({ kind: 'scheduled', role: 'coordinator', status: 'succeeded', parked: 0, unchanged: 0 });
    expect(first.windows).toHaveLength(1);
    const [window] = first.windows;
    expect(window).toMatchObject({ start: new Date(Date.parse(NOW) - 3 * DAY).toISOString(), complete: true, resumed: false });
    // the window ends 10 minutes (the settle delay) before now: a few conversations started since
    const truth = harness.sandbox.truth.conversationIds({ to: Date.parse(window.end) });
    expect(truth.length).toBeGreaterThan(WORLD.conversations * 0.98);
    expect(first.found).toBe(truth.length);
    expect(first.archived).toBe(truth.length);
    expect(first.watermark).toBe(window.end);
    expect(await job.status()).toEqual({ watermark: window.end });
    // the faults really happened, and were absorbed by the transport or by retries
    const { faultsInjected, tokensIssued } = harness.sandbox.stats.snapshot();
    expect(faultsInjected.http429).toBeGreaterThan(0);
    expect(faultsInjected.http500 + faultsInjected.http502 + faultsInjected.http503 + faultsInjected.http504).toBeGreaterThan(0);
    expect(faultsInjected.reset).toBeGreaterThan(0);
    expect(faultsInjected.tokenRevocation).toBe(1);
    expect(tokensIssued).toBeGreaterThanOrEqual(2);
  });

  it('equals the sandbox truth: 0 missing, 0 duplicated, 0 corrupted (hashes of a fault-free sync of the same seed)', async () => {
    const windowEnd = Date.parse(first.windows[0].end);
    const truth = harness.sandbox.truth.conversationIds({ to: windowEnd });
    const expected = await expectedArchive(WORLD, truth, windowEnd);
    const inspection = await inspectArchive(harness.sink, expected);
    expect({ ...inspection, conversations: undefined, versions: undefined }).toEqual({
      missing: [],
      unexpected: [],
      duplicated: [],
      corrupted: [],
      mismatched: [],
    });
    expect(inspection.conversations).toBe(truth.length);
    expect(inspection.versions).toBe(truth.length);
  }, 60_000);

  it('indexes each version, and announces each through the outbox (archive.completed) and the audit trail', async () => {
    let indexed = 0;
    for await (const id of harness.sink.conversationIds()) {
      const [entry, ...more] = await harness.store.archiveIndex.versions(id);
      const [version] = await harness.sink.versions(id);
      expect(more).toEqual([]);
      expect(entry).toMatchObject({ version: 1, contentHash: version.contentHash, location: version.location });
      indexed++;
    }
    expect(indexed).toBe(first.found);
    const events = await harness.store.outbox.list('webhook', 'pending', 10_000);
    expect(events).toHaveLength(first.found);
    expect(new Set(events.map((event) => JSON.parse(event.payload).type))).toEqual(new Set(['archive.completed']));
    expect(events.map((event) => JSON.parse(event.payload).data.runId)).toEqual(events.map(() => first.runId));
    const actions = harness.audit.actions();
    expect(actions.filter((action) => action === 'conversation.archived')).toHaveLength(first.found);
    expect(actions.at(-1)).toBe('archive.run.scheduled');
  });

  it('spends about 2 API calls per conversation plus the search', () => {
    // one GET for participants and message ids, one bulk POST (≤ 1,000 ids), the search
    // pages amortized; the flaky sandbox adds retries
    expect(first.apiCalls / first.found).toBeLessThan(2.6);
    expect(first.apiCalls / first.found).toBeGreaterThanOrEqual(2);
  });

  it('catalogs every archived conversation (its newest version), flagging the planted out-of-order ones; a rebuild restores the same rows', async () => {
    const rows = new Map<string, ArchiveCatalogEntry>();
    let after;
    do {
      const page = await harness.store.archiveCatalog.search({ limit: 500, ...(after ? { after } : {}) });
      for (const entry of page.entries) rows.set(entry.conversationId, entry);
      after = page.next;
    } while (after);
    expect(rows.size).toBe(first.found);
    for await (const id of harness.sink.conversationIds()) {
      const stored = await harness.sink.get<CatalogSource>(id);
      expect(rows.get(id)).toEqual(catalogEntryOf(stored!.document, stored!));
    }
    const plantedOutOfOrder = new Set(
      [...harness.sandbox.truth.anomalies()].filter((a) => a.kind === 'out-of-order' && rows.has(a.conversationId)).map((a) => a.conversationId),
    );
    expect(plantedOutOfOrder.size).toBeGreaterThan(0);
    const flagged = [...rows.values()].filter((row) => row.outOfOrder > 0).map((row) => row.conversationId);
    expect(new Set(flagged)).toEqual(plantedOutOfOrder);

    // archives from before the catalog: wipe some rows, rebuild, the same rows are back
    const wiped = [...rows.keys()].slice(0, 25);
    for (const id of wiped) await harness.store.archiveCatalog.remove(id);
    expect(await harness.store.archiveCatalog.missing(1_000)).toHaveLength(25);
    const report = await rebuildArchiveCatalog({ store: harness.store, sink: harness.sink }, { batchSize: 10 });
    expect(report).toEqual({ catalogued: 25, failed: [] });
    for (const id of wiped) expect(await harness.store.archiveCatalog.get(id)).toEqual(rows.get(id));
    expect(await harness.store.archiveCatalog.missing(1_000)).toEqual([]);
  });

  it('a second run over the unchanged window writes nothing', async () => {
    const files = await archiveFiles(harness.sink);
    const outbox = await harness.store.outbox.countByStatus('webhook');
    const audited = harness.audit.actions().filter((action) => action === 'conversation.archived').length;
    const [window] = first.windows;

    const again = await job.backfill(`${window.start}/${window.end}`);

    expect(again).toMatchObject({ kind: 'backfill', status: 'succeeded', found: first.found, archived: 0, unchanged: first.found, parked: 0 });
    expect(await archiveFiles(harness.sink)).toEqual(files);
    expect(await harness.store.outbox.countByStatus('webhook')).toEqual(outbox);
    expect(harness.audit.actions().filter((action) => action === 'conversation.archived')).toHaveLength(audited);
    for await (const id of harness.sink.conversationIds()) expect(await harness.store.archiveIndex.versions(id)).toHaveLength(1);
    // the watermark is the scheduled run's business only
    expect((await job.status()).watermark).toBe(window.end);
  }, 60_000);

  it('is idle until the next window is due', async () => {
    const idle = await harness.job({ settleDelayMs: DAY }).run();
    expect(idle).toMatchObject({ role: 'coordinator', status: 'idle', windows: [], found: 0 });
  });
});
