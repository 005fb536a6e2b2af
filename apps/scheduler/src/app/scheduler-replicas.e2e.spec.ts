import { join } from 'node:path';
import type { RunningSandbox } from '@gcm/genesys-sandbox';
import { openDatabase } from '@gcm/store';
import { planTestDatabases } from '@gcm/store/testing';
import { createTestSchema } from '../test/postgres-schema';
import { isRunEnd, schedulerWorkspace, SchedulerProcess, type LogLine } from '../test/scheduler-process';
import { inspectAgainstTruth, startWorld, type World } from '../test/sandbox-world';

jest.setTimeout(120_000);
afterAll(() => SchedulerProcess.killLeftovers());

const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);
const postgres = plan.engines.includes('postgres') ? describe : describe.skip;

postgres('two scheduler replicas on one PostgreSQL', () => {
  const world: World = { seed: 43, conversations: 200, days: 1 };
  let sandbox: RunningSandbox;
  let now: string;
  let env: Record<string, string>;
  let workspace: Awaited<ReturnType<typeof schedulerWorkspace>>;
  let databaseUrl: string;
  let dropSchema: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ url: databaseUrl, drop: dropSchema } = await createTestSchema(plan));
    ({ sandbox, now, env } = await startWorld(world));
    workspace = await schedulerWorkspace();
  });

  afterAll(async () => {
    await sandbox?.close();
    await workspace?.dispose();
    await dropSchema?.();
  });

  it('archive the same window together: every conversation exactly once', async () => {
    const replica = (id: string) =>
      new SchedulerProcess({
        ...workspace.env,
        ...env,
        GCM_DATABASE_URL: databaseUrl,
        // one archive both can write (a shared volume); one audit trail per replica
        GCM_SCHEDULER_AUDIT_DIR: join(workspace.dir, `audit-${id}`),
        GCM_SCHEDULER_REPLICA_ID: id,
        GCM_SCHEDULER_RUN_AT_START: 'true',
      });
    const replicas = [replica('replica-a'), replica('replica-b')];
    const ends: LogLine[] = await Promise.all(replicas.map((child) => child.waitFor(isRunEnd, 'the end of its run')));
    for (const child of replicas) child.signal('SIGTERM');
    for (const child of replicas) expect(await child.exited).toEqual({ code: 0, signal: null });

    const roles = ends.map((end) => end['role']).sort();
    expect(roles).toEqual(['coordinator', 'helper']);
    for (const end of ends) expect(end['status']).toBe('succeeded');
    const coordinator = ends.find((end) => end['role'] === 'coordinator') as LogLine;
    const archived = ends.map((end) => end['archived'] as number);
    process.stdout.write(`replicas archived ${archived.join(' + ')} of ${coordinator['found']}\n`);
    expect(archived.reduce((a, b) => a + b, 0)).toBe(world.conversations);
    expect(coordinator['found']).toBe(world.conversations);

    const window = (coordinator['windows'] as Array<{ end: string; queue: string }>)[0];
    const inspection = await inspectAgainstTruth(world, now, workspace.env['GCM_ARCHIVE_DIR'], Date.parse(window.end));
    expect(inspection).toMatchObject({ missing: [], unexpected: [], duplicated: [], corrupted: [], mismatched: [] });
    expect(inspection.versions).toBe(world.conversations);

    const store = await openDatabase(databaseUrl, { migrate: false });
    try {
      for (const id of sandbox.truth.conversationIds()) expect(await store.archiveIndex.versions(id)).toHaveLength(1);
      const items = await store.workItems.countByStatus(window.queue);
      expect(items).toEqual({ pending: 0, 'in-flight': 0, done: world.conversations, dead: 0 });
    } finally {
      await store.close();
    }
  });
});
