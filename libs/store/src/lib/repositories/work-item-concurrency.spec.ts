import { planTestDatabases, TestDatabase } from '../../testing';
import type { StoreDatabase } from '../database/store-database';

const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);

const ITEMS = 10_000;
const WORKERS = 4;
const BATCH = 100;

/*
 * On PostgreSQL every worker has its own pool (separate connections, as separate
 * replicas would), so the claims really race; FOR UPDATE SKIP LOCKED must still hand
 * each item to exactly one of them. On SQLite the workers share the one handle a
 * process has (`:memory:` databases are per handle) and BEGIN IMMEDIATE serializes them.
 */
describe.each(plan.engines)(`%s: ${WORKERS} workers claiming ${ITEMS} items`, (engine) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await TestDatabase.create(engine, plan);
  });

  afterAll(async () => {
    await database?.dispose();
  });

  it(`never hands the same item to two workers, and every item is claimed`, async () => {
    const keys = Array.from({ length: ITEMS }, (_, index) => `conversation-${index}`);
    expect(await database.store.workItems.enqueueMany('race', keys.map((key) => ({ key })))).toBe(ITEMS);

    const handles: StoreDatabase[] = [];
    for (let worker = 0; worker < WORKERS; worker++) {
      handles.push(await database.openAnother({ poolSize: 2 }));
    }

    const claimedBy = await Promise.all(
      handles.map(async (store, worker) => {
        const owner = `worker-${worker}`;
        const mine: string[] = [];
        for (;;) {
          const batch = await store.workItems.claim('race', { owner, limit: BATCH, leaseMs: 60_000 });
          if (batch.length === 0) return mine;
          mine.push(...batch.map((item) => item.key));
          expect(await store.workItems.completeMany(batch.map((item) => item.id), owner)).toBe(batch.length);
        }
      }),
    );

    const all = claimedBy.flat();
    expect(all).toHaveLength(ITEMS);
    expect(new Set(all).size).toBe(ITEMS);
    expect(new Set(all)).toEqual(new Set(keys));
    expect(await database.store.workItems.countByStatus('race')).toEqual({
      pending: 0,
      'in-flight': 0,
      done: ITEMS,
      dead: 0,
    });
    if (engine === 'postgres') {
      // the race was real: more than one worker got work
      expect(claimedBy.filter((keysOfWorker) => keysOfWorker.length > 0).length).toBeGreaterThan(1);
    }
  }, 60_000);
});
