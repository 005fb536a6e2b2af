import { FakeClock } from '@gcm/genesys-auth/testing';
import { openDatabase, type StoreDatabase } from '@gcm/store';
import { describeLeaseHolder, RunLease } from './run-lease';

const LEASE_MS = 60_000;

describe('RunLease', () => {
  let clock: FakeClock;
  let store: StoreDatabase;
  const lease = (owner: string) => new RunLease(store, 'archive:lease', owner, LEASE_MS, clock);

  beforeEach(async () => {
    clock = new FakeClock('2026-03-01T00:00:00.000Z');
    store = await openDatabase('sqlite::memory:', { clock });
  });

  afterEach(() => store.close());

  it('is held by one replica at a time', async () => {
    const a = lease('replica-a');
    const b = lease('replica-b');
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect(a.held).toBe(true);
    expect(b.held).toBe(false);
    expect(await b.peek()).toEqual({ owner: 'replica-a', expiresAt: clock.now() + LEASE_MS, since: clock.now() });
  });

  it('passes to another replica once it expires, and the old holder learns it lost it', async () => {
    const a = lease('replica-a');
    const b = lease('replica-b');
    await a.tryAcquire();
    clock.set(clock.now() + LEASE_MS - 1);
    expect(await b.tryAcquire()).toBe(false);
    clock.set(clock.now() + 1);
    expect(await b.tryAcquire()).toBe(true);
    expect(await a.renew()).toBe(false);
    expect(a.held).toBe(false);
    expect(await a.keepAlive()).toBe(false);
  });

  it('stays with a holder that renews it, and publishes what it works on', async () => {
    const a = lease('replica-a');
    await a.tryAcquire();
    clock.set(clock.now() + LEASE_MS / 2);
    expect(await a.keepAlive({ queue: 'archive:w1', searching: true })).toBe(true);
    clock.set(clock.now() + LEASE_MS / 2 + 1);
    expect(await lease('replica-b').tryAcquire()).toBe(false);
    expect(await a.peek()).toMatchObject({ owner: 'replica-a', queue: 'archive:w1', searching: true });
  });

  it('is extended by a renewal without arguments, keeping what the holder works on', async () => {
    const a = lease('replica-a');
    await a.tryAcquire();
    const since = clock.now();
    await a.renew({ queue: 'archive:w1', searching: true });
    for (let i = 0; i < 3; i++) {
      clock.set(clock.now() + LEASE_MS / 2);
      expect(await a.renew()).toBe(true);
      expect(await a.peek()).toEqual({ owner: 'replica-a', expiresAt: clock.now() + LEASE_MS, since, queue: 'archive:w1', searching: true });
      expect(await lease('replica-b').tryAcquire()).toBe(false);
    }
    clock.set(clock.now() + LEASE_MS / 3);
    expect(await a.keepAlive()).toBe(true);
    expect(await a.peek()).toMatchObject({ expiresAt: clock.now() + LEASE_MS });
  });

  it('renews only every third of its length unless what the holder works on changed', async () => {
    const a = lease('replica-a');
    await a.tryAcquire();
    const before = await store.checkpoints.get('archive:lease');
    expect(await a.keepAlive()).toBe(true);
    expect((await store.checkpoints.get('archive:lease'))?.revision).toBe(before?.revision);
    expect(await a.keepAlive({ queue: 'archive:w1', searching: false })).toBe(true);
    expect((await store.checkpoints.get('archive:lease'))?.revision).toBe((before?.revision ?? 0) + 1);
  });

  it('is taken back at once by the same replica after a restart, and free for anyone once released', async () => {
    await lease('replica-a').tryAcquire();
    const restarted = lease('replica-a');
    expect(await restarted.tryAcquire()).toBe(true);
    await restarted.release();
    expect(restarted.held).toBe(false);
    expect(await lease('replica-b').tryAcquire()).toBe(true);
  });

  it('records a takeover from a holder that stopped renewing, and says who held it since when', async () => {
    const a = lease('replica-a');
    await a.tryAcquire();
    const acquiredAt = clock.now();
    clock.set(acquiredAt + LEASE_MS / 2);
    await a.renew();
    const held = await a.peek();
    expect(held?.since).toBe(acquiredAt);
    expect(describeLeaseHolder(held!, clock.now())).toBe(
      `replica-a holds the run lease since 2026-03-01T00:00:00.000Z; it expires at ${new Date(acquiredAt + LEASE_MS * 1.5).toISOString()} (in 60 s) unless renewed`,
    );
    clock.set(acquiredAt + LEASE_MS * 1.5);
    const b = lease('replica-b');
    expect(await b.tryAcquire()).toBe(true);
    expect(b.lastTakeover).toEqual({ from: 'replica-a', since: acquiredAt, expiresAt: acquiredAt + LEASE_MS * 1.5, noticedAt: clock.now(), processGone: false });
    // a lease released cleanly is no takeover
    await b.release();
    const c = lease('replica-c');
    expect(await c.tryAcquire()).toBe(true);
    expect(c.lastTakeover).toBeUndefined();
  });

  it('is taken over at once when its holder process is known to be gone', async () => {
    const a = lease('gcm-cli@host:111');
    await a.tryAcquire();
    const gone = new Set(['gcm-cli@host:111']);
    const b = new RunLease(store, 'archive:lease', 'gcm-cli@host:222', LEASE_MS, clock, (owner) => gone.has(owner));
    expect(b.heldByOther(await b.peek())).toBe(false);
    expect(await b.tryAcquire()).toBe(true);
    expect(b.lastTakeover).toMatchObject({ from: 'gcm-cli@host:111', processGone: true });
    const c = new RunLease(store, 'archive:lease', 'gcm-cli@host:333', LEASE_MS, clock, (owner) => gone.has(owner));
    expect(c.heldByOther(await c.peek())).toBe(true);
    expect(await c.tryAcquire()).toBe(false);
  });
});
