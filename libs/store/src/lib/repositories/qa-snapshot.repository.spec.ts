import { FakeClock, planTestDatabases, TestDatabase } from '../../testing';
import { knownMigrations } from '../database/migrations';
import type { StoreDatabase } from '../database/store-database';

const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);

const DAY = 86_400_000;
const START = Date.UTC(2024, 4, 1);

describe.each(plan.engines)('QA snapshot repository on %s', (engine) => {
  let database: TestDatabase;
  let store: StoreDatabase;
  const clock = new FakeClock(START);

  beforeAll(async () => {
    database = await TestDatabase.create(engine, plan, { clock });
    store = database.store;
  });

  afterAll(async () => {
    await database?.dispose();
  });

  const snapshot = (day: number, hash: string, document: object = { day, hash }) => ({
    name: 'daily',
    windowStart: START + day * DAY,
    windowEnd: START + (day + 1) * DAY,
    contentHash: hash,
    documentJson: JSON.stringify(document),
  });

  it('is created by migration 0002', async () => {
    expect(knownMigrations(engine).slice(0, 2)).toEqual(['0001-initial-schema', '0002-qa-snapshots']);
    expect((await store.migrate()).current).toEqual(knownMigrations(engine));
  });

  it('numbers versions per name and keeps the document', async () => {
    const first = await store.qaSnapshots.append(snapshot(0, 'sha256:a', { queues: [{ id: 'q', conversations: 3 }] }));
    clock.advance(1_000);
    const second = await store.qaSnapshots.append(snapshot(1, 'sha256:b'));
    expect([first.entry.version, first.created, second.entry.version, second.created]).toEqual([1, true, 2, true]);
    const other = await store.qaSnapshots.append({ ...snapshot(0, 'sha256:a'), name: 'weekly' });
    expect(other.entry.version).toBe(1);

    const stored = await store.qaSnapshots.get('daily', 1);
    expect(JSON.parse(stored?.documentJson ?? 'null')).toEqual({ queues: [{ id: 'q', conversations: 3 }] });
    expect(stored).toMatchObject({ windowStart: START, windowEnd: START + DAY, contentHash: 'sha256:a', createdAt: START });
    expect((await store.qaSnapshots.get('daily'))?.version).toBe(2);
    expect((await store.qaSnapshots.latest('daily'))?.contentHash).toBe('sha256:b');
    expect((await store.qaSnapshots.list('daily')).map((s) => s.version)).toEqual([2, 1]);
    expect(await store.qaSnapshots.get('nothing')).toBeUndefined();
  });

  it('returns the stored version when the same window is snapshotted again with the same content', async () => {
    const again = await store.qaSnapshots.append(snapshot(1, 'sha256:b'));
    expect(again).toMatchObject({ created: false, entry: { version: 2 } });
    // the same content for another window, or new content for the same window, is a new version
    expect((await store.qaSnapshots.append(snapshot(2, 'sha256:b'))).entry.version).toBe(3);
    expect((await store.qaSnapshots.append(snapshot(2, 'sha256:c'))).entry.version).toBe(4);
  });

  it('commits inside a transaction with the rest', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.qaSnapshots.append(snapshot(9, 'sha256:rolled-back'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await store.qaSnapshots.latest('daily'))?.contentHash).toBe('sha256:c');
  });
});
