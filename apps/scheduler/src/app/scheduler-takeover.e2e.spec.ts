import { join } from 'node:path';
import type { RunningSandbox } from '@gcm/genesys-sandbox';
import { openDatabase, type StoreDatabase } from '@gcm/store';
import { planTestDatabases } from '@gcm/store/testing';
import { createTestSchema } from '../test/postgres-schema';
import { isRunEnd, schedulerWorkspace, SchedulerProcess } from '../test/scheduler-process';
import { until } from '../test/poll';
import { inspectAgainstTruth, startWorld, type World } from '../test/sandbox-world';

const LONG = process.env['GCM_LONG_TESTS'] === '1';
jest.setTimeout(LONG ? 900_000 : 300_000);
afterAll(() => SchedulerProcess.killLeftovers());

const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);
const postgres = plan.engines.includes('postgres') ? describe : describe.skip;

postgres('three scheduler replicas, one killed twice (kill -9) and restarted', () => {
  const world: World = { seed: 47, conversations: LONG ? 1_500 : 300, days: 2, faults: 'flaky' };
  let sandbox: RunningSandbox;
  let now: string;
  let env: Record<string, string>;
  let workspace: Awaited<ReturnType<typeof schedulerWorkspace>>;
  let databaseUrl: string;
  let dropSchema: (() => Promise<void>) | undefined;
  let store: StoreDatabase;

  beforeAll(async () => {
    ({ url: databaseUrl, drop: dropSchema } = await createTestSchema(plan));
    ({ sandbox, now, env } = await startWorld(world));
    workspace = await schedulerWorkspace();
  });

  afterAll(async () => {
    await store?.close();
    await sandbox?.close();
    await workspace?.dispose();
    await dropSchema?.();
  });

  it('share the window, take over within seconds of each kill, and archive every conversation exactly once', async () => {
    const replica = (id: string) =>
      new SchedulerProcess({
        ...workspace.env,
        ...env,
        GCM_DATABASE_URL: databaseUrl,
        GCM_SCHEDULER_AUDIT_DIR: join(workspace.dir, `audit-${id}`),
        GCM_SCHEDULER_REPLICA_ID: id,
        GCM_SCHEDULER_RUN_AT_START: 'true',
        // slow enough to be killed mid-window: each replica paces itself to 600 requests a minute
        GCM_SCHEDULER_RATE_LIMIT: '600',
        GCM_SCHEDULER_CONCURRENCY: '4',
        // short leases so the CI version is quick; takeover takes at most one lease plus a poll
        GCM_SCHEDULER_LEASE: '5s',
        // ticks as in production, only faster: a window whose coordinator lost its lease after
        // the helpers' runs ended is continued by the next tick
        GCM_SCHEDULER_CRON: '*/5 * * * * *',
      });
    const startedAt = Date.now();
    const alive = new Map<string, SchedulerProcess>([
      ['replica-a', replica('replica-a')],
      ['replica-b', replica('replica-b')],
      ['replica-c', replica('replica-c')],
    ]);
    await Promise.all([...alive.values()].map((child) => child.port()));
    store = await openDatabase(databaseUrl, { migrate: false });
    const archived = () => store.archiveIndex.count();
    const holder = async () => {
      const lease = (await store.checkpoints.get('archive:lease'))?.resumeToken as { owner?: string | null; expiresAt?: number } | undefined;
      return lease?.owner && (lease.expiresAt ?? 0) > Date.now() ? lease.owner : undefined;
    };

    // kill the replica holding the run lease at 20 % of the work, restart it, and kill it again at 60 %
    const resumedAfterMs: number[] = [];
    const victimId = await until(holder, (owner) => owner !== undefined, 60_000, 'a replica holding the run lease');
    for (const share of [0.2, 0.6]) {
      await until(archived, (n) => n >= world.conversations * share, 120_000, `${share * 100} % archived`);
      const before = await archived();
      await alive.get(victimId as string)?.crash();
      const killedAt = Date.now();
      await until(archived, (n) => n > before, 30_000, 'the next archived conversation after the kill');
      resumedAfterMs.push(Date.now() - killedAt);
      alive.set(victimId as string, replica(victimId as string));
    }
    process.stdout.write(`archiving resumed ${resumedAfterMs.map((ms) => `${ms} ms`).join(' and ')} after the kills\n`);
    for (const ms of resumedAfterMs) expect(ms).toBeLessThan(30_000);

    // every conversation of the window archived, the window completed by whoever holds the lease last
    await until(archived, (n) => n >= world.conversations, 180_000, 'every conversation archived');
    await until(async () => (await store.checkpoints.get('archive'))?.resumeToken, (state) => state === null || state === undefined, 60_000, 'the window completed');
    // the replica restarted after the second kill may still be loading: a signal before Node
    // has run our code would end it by the signal's default action, which is not what is tested here
    await Promise.all([...alive.values()].map((child) => child.port()));
    for (const child of alive.values()) child.signal('SIGTERM');
    for (const child of alive.values()) expect(await child.exited).toEqual({ code: 0, signal: null });

    // each surviving replica archived a share (its runs' archived counts together)
    for (const [id, child] of alive) {
      if (id === victimId) continue;
      const runs = child.lines.filter(isRunEnd);
      expect({ id, archived: runs.reduce((sum, end) => sum + ((end['archived'] as number) ?? 0), 0) > 0 }).toEqual({ id, archived: true });
    }
    const watermark = (await store.checkpoints.get('archive'))?.watermark as number;
    const inspection = await inspectAgainstTruth(world, now, workspace.env['GCM_ARCHIVE_DIR'], watermark);
    expect(inspection).toMatchObject({ missing: [], unexpected: [], duplicated: [], corrupted: [] });
    // the sandbox runs on the real clock: a conversation still going on when it was archived
    // has changed since (the next window archives its new version); every other one must equal the truth
    const stillGoing = (id: string) => {
      const end = sandbox.truth.summary(id)?.endTime;
      return end === undefined || Date.parse(end) >= startedAt;
    };
    expect(inspection.mismatched.filter((entry) => !stillGoing(entry.conversationId))).toEqual([]);
    for (const id of sandbox.truth.conversationIds()) expect(await store.archiveIndex.versions(id)).toHaveLength(1);
    // the killed runs were ended abandoned by whoever noticed (the first kill always hits a
    // run: the victim held the lease; the second may hit a replica between runs); nothing is left running
    expect(await store.jobRuns.running(['archive', 'archive:backfill'])).toEqual([]);
    const abandoned = (await store.jobRuns.list('archive', 50)).filter((run) => run.status === 'abandoned');
    expect(abandoned.length).toBeGreaterThanOrEqual(1);
    for (const run of abandoned) expect(run.owner).toBe(victimId);
    expect(await store.workItems.openQueues('archive:')).toEqual([]);
  });
});
