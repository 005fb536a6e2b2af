import { FakeClock, planTestDatabases, TestDatabase } from '../../testing';
import { knownMigrations } from '../database/migrations';
import type { StoreDatabase } from '../database/store-database';
import { StoreError, StoreErrorCode } from '../store.error';

/*
 * One suite, run against every engine: SQLite always, and the real PostgreSQL server
 * (GCM_TEST_POSTGRES_URL) in a fresh schema. With CI=true an unreachable PostgreSQL
 * fails the PostgreSQL half instead of skipping it.
 */
const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);

const RETRY = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 };
const LEASE_MS = 30_000;

describe.each(plan.engines)('store repositories on %s', (engine) => {
  let database: TestDatabase;
  let store: StoreDatabase;
  const clock = new FakeClock(Date.UTC(2024, 4, 1));

  beforeAll(async () => {
    // random() = 0.5: the full-jitter delay is half its ceiling, so tests can predict it
    database = await TestDatabase.create(engine, plan, { clock, random: () => 0.5, retryPolicy: RETRY });
    store = database.store;
  });

  afterAll(async () => {
    await database?.dispose();
  });

  describe('migrations', () => {
    it('records every migration and applies nothing the second time', async () => {
      const again = await store.migrate();
      expect(again.applied).toEqual([]);
      expect(again.current).toEqual(knownMigrations(engine));
      expect(again.current).toContain('0001-initial-schema');
    });

    it('lets a second handle start up against an already migrated database', async () => {
      const other = await database.openAnother();
      expect((await other.migrate()).applied).toEqual([]);
      await other.ping();
    });
  });

  describe('checkpoints', () => {
    it('creates a checkpoint only when none exists', async () => {
      expect(await store.checkpoints.get('cp-create')).toBeUndefined();
      const created = await store.checkpoints.compareAndSet('cp-create', null, {
        watermark: 1_000,
        resumeToken: { cursor: 'abc', interval: ['2024-01-01', '2024-01-02'] },
      });
      expect(created).toEqual({
        jobName: 'cp-create',
        watermark: 1_000,
        resumeToken: { cursor: 'abc', interval: ['2024-01-01', '2024-01-02'] },
        revision: 1,
        updatedAt: clock.now(),
      });
      expect(await store.checkpoints.compareAndSet('cp-create', null, { watermark: 5 })).toBeUndefined();
      expect((await store.checkpoints.get('cp-create'))?.watermark).toBe(1_000);
    });

    it('advances only from the revision the writer read (compare-and-set)', async () => {
      await store.checkpoints.compareAndSet('cp-cas', null, { watermark: 1 });
      const first = await store.checkpoints.compareAndSet('cp-cas', 1, { watermark: 2, resumeToken: 'next' });
      expect(first).toMatchObject({ revision: 2, watermark: 2, resumeToken: 'next' });

      // a second replica that read revision 1 loses
      expect(await store.checkpoints.compareAndSet('cp-cas', 1, { watermark: 99 })).toBeUndefined();
      expect(await store.checkpoints.get('cp-cas')).toMatchObject({ revision: 2, watermark: 2 });

      const cleared = await store.checkpoints.compareAndSet('cp-cas', 2, { watermark: null });
      expect(cleared).toMatchObject({ revision: 3, watermark: null, resumeToken: null });
    });

    it('deletes a checkpoint', async () => {
      await store.checkpoints.compareAndSet('cp-delete', null, { watermark: 1 });
      expect(await store.checkpoints.delete('cp-delete')).toBe(true);
      expect(await store.checkpoints.delete('cp-delete')).toBe(false);
      expect(await store.checkpoints.get('cp-delete')).toBeUndefined();
    });
  });

  describe('archive index', () => {
    const id = '00000000-0000-4000-8000-000000000001';

    it('adds a version per distinct content and none for content already indexed', async () => {
      const v1 = await store.archiveIndex.record({ conversationId: id, contentHash: 'a'.repeat(64), location: 'l1' });
      const v2 = await store.archiveIndex.record({ conversationId: id, contentHash: 'b'.repeat(64), location: 'l2' });
      const again = await store.archiveIndex.record({
        conversationId: id,
        contentHash: 'a'.repeat(64),
        location: 'elsewhere',
      });

      expect(v1).toMatchObject({ created: true, entry: { version: 1, location: 'l1', archivedAt: clock.now() } });
      expect(v2).toMatchObject({ created: true, entry: { version: 2 } });
      expect(again).toEqual({ created: false, entry: v1.entry });
      expect((await store.archiveIndex.latest(id))?.contentHash).toBe('b'.repeat(64));
      expect((await store.archiveIndex.versions(id)).map((entry) => entry.version)).toEqual([1, 2]);
      expect(await store.archiveIndex.get(id, 2)).toEqual(v2.entry);
      expect(await store.archiveIndex.latest('00000000-0000-4000-8000-00000000ffff')).toBeUndefined();
    });

    it('forgets a removed version, and keeps numbering after the newest', async () => {
      const third = '00000000-0000-4000-8000-000000000003';
      for (const hash of ['e', 'f', '0']) await store.archiveIndex.record({ conversationId: third, contentHash: hash.repeat(64), location: hash });
      expect(await store.archiveIndex.remove(third, 1)).toBe(true);
      expect(await store.archiveIndex.remove(third, 1)).toBe(false);
      expect((await store.archiveIndex.versions(third)).map((entry) => entry.version)).toEqual([2, 3]);
      const next = await store.archiveIndex.record({ conversationId: third, contentHash: '1'.repeat(64), location: 'n' });
      expect(next.entry.version).toBe(4);
    });

    it('refuses a sink-assigned version that is taken by other content', async () => {
      const other = '00000000-0000-4000-8000-000000000002';
      await store.archiveIndex.record({ conversationId: other, contentHash: 'c'.repeat(64), location: 'x', version: 1 });
      await expect(
        store.archiveIndex.record({ conversationId: other, contentHash: 'd'.repeat(64), location: 'y', version: 1 }),
      ).rejects.toMatchObject({ code: StoreErrorCode.Conflict });
    });
  });

  describe('work items', () => {
    it('enqueues idempotently by (queue, key)', async () => {
      const first = await store.workItems.enqueue('q-idem', { key: 'conv-1', payload: { n: 1 } });
      const second = await store.workItems.enqueue('q-idem', { key: 'conv-1', payload: { n: 2 } });
      const otherQueue = await store.workItems.enqueue('q-idem-2', { key: 'conv-1' });

      expect(first.created).toBe(true);
      expect(second).toEqual({ created: false, item: first.item });
      expect(second.item.payload).toEqual({ n: 1 });
      expect(otherQueue.created).toBe(true);
      expect(await store.workItems.enqueueMany('q-idem', [{ key: 'conv-1' }, { key: 'conv-2' }, { key: 'conv-2' }])).toBe(1);
      expect(await store.workItems.countByStatus('q-idem')).toEqual({ pending: 2, 'in-flight': 0, done: 0, dead: 0 });
    });

    it('claims at most N due items, oldest first, and leases them to one owner', async () => {
      await store.workItems.enqueueMany('q-claim', ['a', 'b', 'c'].map((key) => ({ key })));
      await store.workItems.enqueue('q-claim', { key: 'later', notBefore: clock.now() + 60_000 });

      const batch = await store.workItems.claim('q-claim', { owner: 'w1', limit: 2, leaseMs: LEASE_MS });
      expect(batch.map((item) => item.key)).toEqual(['a', 'b']);
      expect(batch[0]).toMatchObject({
        status: 'in-flight',
        leaseOwner: 'w1',
        leaseExpiresAt: clock.now() + LEASE_MS,
        attempts: 1,
      });

      const rest = await store.workItems.claim('q-claim', { owner: 'w2', limit: 10, leaseMs: LEASE_MS });
      expect(rest.map((item) => item.key)).toEqual(['c']);
      expect(await store.workItems.claim('q-claim', { owner: 'w3', limit: 10, leaseMs: LEASE_MS })).toEqual([]);
      expect(await store.workItems.claim('q-claim', { owner: 'w3', limit: 0, leaseMs: LEASE_MS })).toEqual([]);
    });

    it('renews and completes only for the lease owner', async () => {
      await store.workItems.enqueue('q-owner', { key: 'k' });
      const [item] = await store.workItems.claim('q-owner', { owner: 'w1', limit: 1, leaseMs: LEASE_MS });

      expect(await store.workItems.renew(item.id, 'w2', LEASE_MS)).toBe(false);
      clock.advance(10_000);
      expect(await store.workItems.renew(item.id, 'w1', LEASE_MS)).toBe(true);
      expect((await store.workItems.get(item.id))?.leaseExpiresAt).toBe(clock.now() + LEASE_MS);

      expect(await store.workItems.complete(item.id, 'w2')).toBe(false);
      expect(await store.workItems.complete(item.id, 'w1')).toBe(true);
      expect(await store.workItems.get(item.id)).toMatchObject({
        status: 'done',
        leaseOwner: null,
        completedAt: clock.now(),
      });
      expect(await store.workItems.renew(item.id, 'w1', LEASE_MS)).toBe(false);
    });

    it('lets another worker reclaim an expired lease; the old owner then loses it', async () => {
      await store.workItems.enqueue('q-expire', { key: 'k' });
      const [item] = await store.workItems.claim('q-expire', { owner: 'slow', limit: 1, leaseMs: LEASE_MS });

      clock.advance(LEASE_MS - 1);
      expect(await store.workItems.claim('q-expire', { owner: 'fast', limit: 1, leaseMs: LEASE_MS })).toEqual([]);
      clock.advance(1);
      const [reclaimed] = await store.workItems.claim('q-expire', { owner: 'fast', limit: 1, leaseMs: LEASE_MS });

      expect(reclaimed).toMatchObject({ id: item.id, leaseOwner: 'fast', attempts: 2 });
      expect(await store.workItems.complete(item.id, 'slow')).toBe(false);
      expect(await store.workItems.fail(item.id, 'slow', 'late')).toBeUndefined();
      expect(await store.workItems.complete(item.id, 'fast')).toBe(true);
    });

    it('retries a failure after a full-jitter backoff and dead-letters after max attempts', async () => {
      await store.workItems.enqueue('q-fail', { key: 'k' });
      const claim = () => store.workItems.claim('q-fail', { owner: 'w', limit: 1, leaseMs: LEASE_MS });

      const [first] = await claim();
      // attempt 1: ceiling = base = 1000 ms, random 0.5 → 500 ms
      expect(await store.workItems.fail(first.id, 'w', 'HTTP 503')).toEqual({
        status: 'pending',
        attempts: 1,
        nextAttemptAt: clock.now() + 500,
      });
      expect(await store.workItems.get(first.id)).toMatchObject({ status: 'pending', lastError: 'HTTP 503' });
      clock.advance(499);
      expect(await claim()).toEqual([]);
      clock.advance(1);

      const [second] = await claim();
      expect(second.attempts).toBe(2);
      // attempt 2: ceiling 2000 → 1000 ms
      expect((await store.workItems.fail(second.id, 'w', 'HTTP 503'))?.nextAttemptAt).toBe(clock.now() + 1_000);
      clock.advance(1_000);

      const [third] = await claim();
      expect(await store.workItems.fail(third.id, 'w', 'still broken')).toMatchObject({ status: 'dead', attempts: 3 });
      clock.advance(RETRY.maxDelayMs);
      expect(await claim()).toEqual([]);
      expect(await store.workItems.list('q-fail', 'dead')).toEqual([
        expect.objectContaining({ key: 'k', attempts: 3, lastError: 'still broken' }),
      ]);
    });

    it('dead-letters an item whose lease expired on its last attempt (a worker that keeps crashing)', async () => {
      await store.workItems.enqueue('q-crash', { key: 'poison', maxAttempts: 2 });
      for (let attempt = 0; attempt < 2; attempt++) {
        expect(await store.workItems.claim('q-crash', { owner: `w${attempt}`, limit: 1, leaseMs: LEASE_MS })).toHaveLength(1);
        clock.advance(LEASE_MS);
      }
      expect(await store.workItems.claim('q-crash', { owner: 'w9', limit: 1, leaseMs: LEASE_MS })).toEqual([]);
      expect(await store.workItems.getByKey('q-crash', 'poison')).toMatchObject({
        status: 'dead',
        attempts: 2,
        lastError: expect.stringContaining('lease expired'),
      });
    });

    it('releases a claim without spending an attempt, and requeues dead items', async () => {
      await store.workItems.enqueue('q-release', { key: 'k', maxAttempts: 1 });
      const [item] = await store.workItems.claim('q-release', { owner: 'w', limit: 1, leaseMs: LEASE_MS });
      expect(await store.workItems.release(item.id, 'w')).toBe(true);
      expect(await store.workItems.get(item.id)).toMatchObject({ status: 'pending', attempts: 0 });

      const [again] = await store.workItems.claim('q-release', { owner: 'w', limit: 1, leaseMs: LEASE_MS });
      expect(await store.workItems.fail(again.id, 'w', 'boom')).toMatchObject({ status: 'dead' });
      expect(await store.workItems.requeue(again.id)).toBe(true);
      expect(await store.workItems.requeue(again.id)).toBe(false);
      expect(await store.workItems.claim('q-release', { owner: 'w', limit: 1, leaseMs: LEASE_MS })).toHaveLength(1);
    });
  });

  describe('work item heartbeats and hand-backs', () => {
    it('renews held leases in one call, reports the lost ones, and hands back items of gone owners', async () => {
      await store.workItems.enqueueMany('q-hb', ['a', 'b', 'c', 'd'].map((key) => ({ key })));
      const mine = await store.workItems.claim('q-hb', { owner: 'me', limit: 2, leaseMs: LEASE_MS });
      const theirs = await store.workItems.claim('q-hb', { owner: 'gone', limit: 2, leaseMs: LEASE_MS });
      expect(await store.workItems.holders('q-hb')).toEqual(
        expect.arrayContaining([
          { owner: 'me', items: 2, leaseExpiresAt: clock.now() + LEASE_MS },
          { owner: 'gone', items: 2, leaseExpiresAt: clock.now() + LEASE_MS },
        ]),
      );
      clock.advance(LEASE_MS - 1);
      expect(await store.workItems.renewMany([...mine, theirs[0]].map((item) => item.id), 'me', LEASE_MS)).toEqual([theirs[0].id]);
      expect((await store.workItems.get(mine[0].id))?.leaseExpiresAt).toBe(clock.now() + LEASE_MS);

      expect(await store.workItems.reclaim('q-hb', ['gone'], 'replica gone stopped')).toBe(2);
      const handedBack = await store.workItems.get(theirs[0].id);
      expect(handedBack).toMatchObject({ status: 'pending', leaseOwner: null, attempts: 1, lastError: 'replica gone stopped' });
      // due at once, while the live owner's items stay leased
      const again = await store.workItems.claim('q-hb', { owner: 'next', limit: 10, leaseMs: LEASE_MS });
      expect(again.map((item) => item.key).sort()).toEqual(theirs.map((item) => item.key).sort());
    });

    it('closes the open items of a superseded queue and lists the queues still open', async () => {
      await store.workItems.enqueueMany('job:old', ['a', 'b', 'c'].map((key) => ({ key })));
      await store.workItems.enqueueMany('job:new', [{ key: 'a' }]);
      await store.workItems.enqueueMany('other:x', [{ key: 'a' }]);
      const [done] = await store.workItems.claim('job:old', { owner: 'w', limit: 1, leaseMs: LEASE_MS });
      await store.workItems.complete(done.id, 'w');
      await store.workItems.claim('job:old', { owner: 'w', limit: 1, leaseMs: LEASE_MS });
      expect(await store.workItems.openQueues('job:')).toEqual(['job:new', 'job:old']);

      expect(await store.workItems.closeOpen('job:old')).toBe(2);
      expect(await store.workItems.countByStatus('job:old')).toEqual({ pending: 0, 'in-flight': 0, done: 1, dead: 0 });
      expect(await store.workItems.openQueues('job:')).toEqual(['job:new']);
    });
  });

  describe('job runs', () => {
    it('records start, progress and end', async () => {
      const run = await store.jobRuns.start('archive-daily', { counts: { discovered: 0 } });
      expect(run).toMatchObject({ jobName: 'archive-daily', status: 'running', endedAt: null, errors: [] });

      clock.advance(5_000);
      await store.jobRuns.update(run.id, { counts: { discovered: 10, archived: 4 } });
      expect((await store.jobRuns.update(run.id, {})).counts).toEqual({ discovered: 10, archived: 4 });
      const ended = await store.jobRuns.end(run.id, {
        status: 'partial',
        counts: { discovered: 10, archived: 9, failed: 1 },
        errors: ['conversation x: HTTP 404'],
      });

      expect(ended).toEqual({
        id: run.id,
        jobName: 'archive-daily',
        status: 'partial',
        startedAt: run.startedAt,
        endedAt: run.startedAt + 5_000,
        counts: { discovered: 10, archived: 9, failed: 1 },
        errors: ['conversation x: HTTP 404'],
        owner: null,
        heartbeatAt: run.startedAt + 5_000,
      });
      expect(await store.jobRuns.get(run.id)).toEqual(ended);
    });

    it('ends abandoned the runs whose holder stopped renewing them, and only those', async () => {
      const dead = await store.jobRuns.start('archive', { owner: 'replica-dead' });
      const alive = await store.jobRuns.start('archive', { owner: 'replica-alive' });
      const mine = await store.jobRuns.start('archive', { owner: 'replica-me' });
      const killedCli = await store.jobRuns.start('archive:backfill', { owner: 'gcm-cli@host:1' });
      const otherJob = await store.jobRuns.start('qa', { owner: 'replica-dead' });
      clock.advance(30_000);
      expect(await store.jobRuns.heartbeat([alive.id, mine.id])).toBe(2);
      clock.advance(10_000);

      const ended = await store.jobRuns.abandonStale({
        jobNames: ['archive', 'archive:backfill'],
        staleBefore: clock.now() - 30_000,
        deadOwners: ['gcm-cli@host:1'],
        exceptOwner: 'replica-me',
        noticedBy: 'replica-alive',
      });

      expect(ended.map((run) => run.id).sort()).toEqual([dead.id, killedCli.id].sort());
      const abandoned = await store.jobRuns.get(dead.id);
      expect(abandoned).toMatchObject({ status: 'abandoned', endedAt: clock.now(), owner: 'replica-dead' });
      expect(abandoned?.errors.at(-1)).toMatch(/replica-dead stopped renewing the run .*noticed by replica-alive/);
      expect((await store.jobRuns.get(alive.id))?.status).toBe('running');
      expect((await store.jobRuns.get(mine.id))?.status).toBe('running');
      expect((await store.jobRuns.get(otherJob.id))?.status).toBe('running');
      expect((await store.jobRuns.running(['archive', 'archive:backfill'])).map((run) => run.id).sort()).toEqual([alive.id, mine.id].sort());
      // an ended run is not ended twice, nor heartbeated back to life
      expect(await store.jobRuns.heartbeat([dead.id])).toBe(0);
      expect(await store.jobRuns.abandonStale({ jobNames: ['archive'], staleBefore: clock.now() + 1, noticedBy: 'x', exceptOwner: 'replica-me' })).toHaveLength(1);
    });

    it('lists runs newest first', async () => {
      const older = await store.jobRuns.start('sync');
      clock.advance(1);
      const newer = await store.jobRuns.start('sync');
      expect((await store.jobRuns.list('sync')).map((run) => run.id)).toEqual([newer.id, older.id]);
      expect((await store.jobRuns.latest('sync'))?.id).toBe(newer.id);
    });

    it('says which run is missing', async () => {
      await expect(store.jobRuns.end(987_654, { status: 'failed' })).rejects.toMatchObject({
        code: StoreErrorCode.NotFound,
        message: expect.stringContaining('987654'),
      });
    });
  });

  describe('outbox', () => {
    const message = (key: string, kind: 'webhook' | 'crm' = 'webhook') => ({
      kind,
      destination: 'endpoint-1',
      payload: JSON.stringify({ type: 'archive.completed', key }),
      idempotencyKey: key,
    });

    it('enqueues once per idempotency key', async () => {
      const first = await store.outbox.enqueue(message('ob-1'));
      const again = await store.outbox.enqueue({ ...message('ob-1'), payload: '{"other":true}' });
      expect(first.created).toBe(true);
      expect(again).toEqual({ created: false, message: first.message });
      expect(first.message).toMatchObject({ status: 'pending', attempts: 0, payload: message('ob-1').payload });
    });

    it('claims due messages of one kind with leases, and replays finished ones', async () => {
      const webhook = (await store.outbox.enqueue(message('ob-claim-webhook'))).message;
      await store.outbox.enqueue(message('ob-claim-crm', 'crm'));

      const claimed = await store.outbox.claim('webhook', { owner: 'd1', limit: 10, leaseMs: LEASE_MS });
      expect(claimed.map((m) => m.idempotencyKey)).toContain('ob-claim-webhook');
      expect(claimed.every((m) => m.kind === 'webhook')).toBe(true);
      expect(await store.outbox.claim('webhook', { owner: 'd2', limit: 10, leaseMs: LEASE_MS })).toEqual([]);

      for (const claimedMessage of claimed) expect(await store.outbox.complete(claimedMessage.id, 'd1')).toBe(true);
      expect((await store.outbox.get(webhook.id))?.status).toBe('done');

      expect(await store.outbox.replay(webhook.id)).toBe(true);
      const [replayed] = await store.outbox.claim('webhook', { owner: 'd2', limit: 10, leaseMs: LEASE_MS });
      expect(replayed).toMatchObject({ id: webhook.id, attempts: 1, payload: webhook.payload });
      expect(await store.outbox.replay(webhook.id)).toBe(false);
    });

    it('commits a state change and its outbox message together, or neither', async () => {
      await store.transaction(async (tx) => {
        await tx.checkpoints.compareAndSet('tx-commit', null, { watermark: 7 });
        await tx.outbox.enqueue(message('tx-commit'));
      });
      expect(await store.checkpoints.get('tx-commit')).toMatchObject({ watermark: 7 });
      expect(await store.outbox.getByIdempotencyKey('tx-commit')).toBeDefined();

      await expect(
        store.transaction(async (tx) => {
          await tx.checkpoints.compareAndSet('tx-rollback', null, { watermark: 7 });
          await tx.outbox.enqueue(message('tx-rollback'));
          // a nested transaction joins the outer one and rolls back with it
          await tx.transaction((inner) => inner.workItems.enqueue('tx-rollback', { key: 'k' }));
          throw new Error('webhook payload could not be built');
        }),
      ).rejects.toThrow('webhook payload could not be built');
      expect(await store.checkpoints.get('tx-rollback')).toBeUndefined();
      expect(await store.outbox.getByIdempotencyKey('tx-rollback')).toBeUndefined();
      expect(await store.workItems.getByKey('tx-rollback', 'k')).toBeUndefined();
    });

    it('claims inside a caller transaction', async () => {
      await store.outbox.enqueue(message('ob-tx-claim', 'crm'));
      const claimed = await store.transaction((tx) =>
        tx.outbox.claim('crm', { owner: 'tx-owner', limit: 10, leaseMs: LEASE_MS }),
      );
      expect(claimed.map((m) => m.idempotencyKey)).toContain('ob-tx-claim');
      expect((await store.outbox.countByStatus('crm'))['in-flight']).toBeGreaterThanOrEqual(1);
    });
  });

  it('rejects use after close', async () => {
    const other = await TestDatabase.create(engine, plan, { clock });
    await other.dispose();
    await expect(other.store.ping()).rejects.toBeInstanceOf(StoreError);
  });
});
