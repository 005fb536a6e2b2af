import { FakeClock, planTestDatabases, TestDatabase } from '../../testing';
import { knownMigrations } from '../database/migrations';
import type { StoreDatabase } from '../database/store-database';

const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);

const START = Date.UTC(2026, 1, 1);
const HOUR = 3_600_000;
const hash = (c: string) => c.repeat(64).slice(0, 64);

describe.each(plan.engines)('review session repository on %s', (engine) => {
  let database: TestDatabase;
  let store: StoreDatabase;
  let clock: FakeClock;

  beforeAll(async () => {
    clock = new FakeClock(START);
    database = await TestDatabase.create(engine, plan, { clock });
    store = database.store;
  });

  afterAll(async () => {
    await database?.dispose();
  });

  it('is created by its own migration, after the archive catalog', () => {
    const names = knownMigrations(engine);
    expect(names).toContain('0005-review-sessions');
    expect(names.indexOf('0005-review-sessions')).toBeGreaterThan(names.indexOf('0003-archive-catalog'));
  });

  it('finds a live session, ends it on delete, and forgets it at its expiry', async () => {
    await store.reviewSessions.create({ idHash: hash('a'), keyId: 'alice', keySha256: hash('1'), expiresAt: START + HOUR });
    expect(await store.reviewSessions.findLive(hash('a'))).toEqual({ idHash: hash('a'), keyId: 'alice', keySha256: hash('1'), createdAt: START, expiresAt: START + HOUR });
    expect(await store.reviewSessions.delete(hash('a'))).toBe(true);
    expect(await store.reviewSessions.findLive(hash('a'))).toBeUndefined();
    expect(await store.reviewSessions.delete(hash('a'))).toBe(false);

    await store.reviewSessions.create({ idHash: hash('b'), keyId: 'alice', keySha256: hash('1'), expiresAt: START + HOUR });
    clock.advance(HOUR);
    expect(await store.reviewSessions.findLive(hash('b'))).toBeUndefined();
    // expired sessions are deleted when met, and in bulk
    await store.reviewSessions.create({ idHash: hash('c'), keyId: 'alice', keySha256: hash('1'), expiresAt: clock.now() + 1 });
    clock.advance(2);
    expect(await store.reviewSessions.deleteExpired()).toBe(1);
  });

  it('ends the sessions of keys rotated out', async () => {
    await store.reviewSessions.create({ idHash: hash('d'), keyId: 'alice', keySha256: hash('1'), expiresAt: clock.now() + HOUR });
    await store.reviewSessions.create({ idHash: hash('e'), keyId: 'bob', keySha256: hash('2'), expiresAt: clock.now() + HOUR });
    await store.reviewSessions.create({ idHash: hash('f'), keyId: 'bob', keySha256: hash('2'), expiresAt: clock.now() + HOUR });
    expect(await store.reviewSessions.keepOnlyKeys([hash('1'), hash('3')])).toBe(2);
    expect(await store.reviewSessions.findLive(hash('d'))).toBeDefined();
    expect(await store.reviewSessions.findLive(hash('e'))).toBeUndefined();
    expect(await store.reviewSessions.keepOnlyKeys([])).toBe(1);
  });
});
