import { FakeClock, planTestDatabases, TestDatabase } from '../../testing';
import { knownMigrations } from '../database/migrations';
import type { StoreDatabase } from '../database/store-database';
import { StoreError } from '../store.error';
import type { ArchiveCatalogEntry } from './archive-catalog.repository';

const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);

const START = Date.UTC(2026, 1, 1);
const HOUR = 3_600_000;
const Q1 = '11111111-1111-4111-8111-111111111111';
const Q2 = '22222222-2222-4222-8222-222222222222';

function id(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function entry(n: number, overrides: Partial<ArchiveCatalogEntry> = {}): ArchiveCatalogEntry {
  return {
    conversationId: id(n),
    version: 1,
    contentHash: `sha256:${n}`,
    startedAt: START + n * HOUR,
    endedAt: START + n * HOUR + 600_000,
    queueIds: n % 2 === 0 ? [Q1] : [Q2, Q1],
    messengerType: 'webmessaging',
    messageCount: n,
    participantCount: 3,
    integrityFindings: n % 5 === 0 ? 2 : 0,
    outOfOrder: n % 5 === 0 ? 1 : 0,
    slaBreaches: n % 3 === 0 ? 1 : 0,
    archivedAt: START + 100 * HOUR,
    ...overrides,
  };
}

describe.each(plan.engines)('archive catalog repository on %s', (engine) => {
  let database: TestDatabase;
  let store: StoreDatabase;

  beforeAll(async () => {
    database = await TestDatabase.create(engine, plan, { clock: new FakeClock(START) });
    store = database.store;
    for (let n = 1; n <= 30; n++) await store.archiveCatalog.upsert(entry(n));
  });

  afterAll(async () => {
    await database?.dispose();
  });

  it('is created by migration 0003', () => {
    expect(knownMigrations(engine)).toContain('0003-archive-catalog');
  });

  it('round-trips an entry (queues sorted, absent fields absent)', async () => {
    expect(await store.archiveCatalog.get(id(3))).toEqual({ ...entry(3), queueIds: [Q1, Q2] });
    await store.archiveCatalog.upsert(entry(31, { endedAt: undefined, messengerType: undefined, queueIds: [] }));
    const bare = await store.archiveCatalog.get(id(31));
    expect(bare).not.toHaveProperty('endedAt');
    expect(bare).not.toHaveProperty('messengerType');
    expect(bare?.queueIds).toEqual([]);
    await store.archiveCatalog.remove(id(31));
    expect(await store.archiveCatalog.get(id(31))).toBeUndefined();
  });

  it('never lets an older version overwrite a newer one', async () => {
    await store.archiveCatalog.upsert(entry(7, { version: 3, messageCount: 70 }));
    await store.archiveCatalog.upsert(entry(7, { version: 2, messageCount: 1 }));
    expect(await store.archiveCatalog.get(id(7))).toMatchObject({ version: 3, messageCount: 70 });
    await store.archiveCatalog.upsert(entry(7));
    expect((await store.archiveCatalog.get(id(7)))?.version).toBe(3);
  });

  it('pages newest first without repeats or gaps, and filters', async () => {
    const seen: string[] = [];
    let after;
    do {
      const page = await store.archiveCatalog.search({ limit: 7, ...(after ? { after } : {}) });
      seen.push(...page.entries.map((e) => e.conversationId));
      after = page.next;
    } while (after);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => id(30 - i)));

    const ids = async (query: Parameters<StoreDatabase['archiveCatalog']['search']>[0]) =>
      (await store.archiveCatalog.search(query)).entries.map((e) => e.conversationId);
    expect(await ids({ limit: 100, from: START + 10 * HOUR, to: START + 13 * HOUR })).toEqual([id(12), id(11), id(10)]);
    expect(await ids({ limit: 100, queueId: Q2 })).toHaveLength(15);
    expect(await ids({ limit: 100, queueId: '%' })).toEqual([]);
    expect(await ids({ limit: 100, integrity: 'findings' })).toEqual([30, 25, 20, 15, 10, 5].map(id));
    expect(await ids({ limit: 100, integrity: 'clean' })).toHaveLength(24);
    expect(await ids({ limit: 100, sla: 'breached', integrity: 'findings' })).toEqual([id(30), id(15)]);
    expect(await ids({ limit: 100, sla: 'met', queueId: Q1, from: START + 28 * HOUR })).toEqual([id(29), id(28)]);
    expect(await ids({ limit: 100, conversationId: id(4) })).toEqual([id(4)]);
  });

  it('refuses a page size outside 1–500, naming the limit', async () => {
    await expect(store.archiveCatalog.search({ limit: 0 })).rejects.toThrow(StoreError);
    await expect(store.archiveCatalog.search({ limit: 501 })).rejects.toThrow(/limit must be an integer from 1 to 500/);
  });

  it('lists the newest indexed versions it does not describe yet', async () => {
    const other = 'aaaaaaaa-0000-4000-8000-000000000001';
    await store.archiveIndex.record({ conversationId: other, contentHash: 'sha256:x', location: 'x/1' });
    await store.archiveIndex.record({ conversationId: other, contentHash: 'sha256:y', location: 'x/2' });
    await store.archiveIndex.record({ conversationId: id(1), contentHash: 'sha256:1', location: '1/1' });
    await store.archiveIndex.record({ conversationId: id(2), contentHash: 'sha256:2', location: '2/1' });
    await store.archiveIndex.record({ conversationId: id(2), contentHash: 'sha256:2b', location: '2/2' });
    expect(await store.archiveCatalog.missing(10)).toEqual([
      { conversationId: id(2), version: 2 },
      { conversationId: other, version: 2 },
    ]);
    expect(await store.archiveCatalog.missing(1)).toHaveLength(1);
  });
});
