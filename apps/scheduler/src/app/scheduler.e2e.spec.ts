import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openDatabase } from '@gcm/store';
import type { RunningSandbox } from '@gcm/genesys-sandbox';
import { isRunEnd, schedulerWorkspace, SchedulerProcess } from '../test/scheduler-process';
import { inspectAgainstTruth, startWorld, type World } from '../test/sandbox-world';

jest.setTimeout(120_000);
afterAll(() => SchedulerProcess.killLeftovers());

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
}

describe('scheduler process: configuration', () => {
  it('refuses a bad configuration with one message naming every bad variable, secrets unshown, exit 2', async () => {
    const workspace = await schedulerWorkspace();
    try {
      const child = new SchedulerProcess({
        ...workspace.env,
        GENESYSCLOUD_REGION: 'mars-north-1',
        GENESYSCLOUD_OAUTHCLIENT_SECRET: 'very-secret-value',
        GCM_SCHEDULER_PORT: '99999',
        GCM_SCHEDULER_CRON: 'every quarter hour',
        GCM_DATABASE_URL: 'mysql://root:hunter2@db/gcm',
        GCM_SCHEDULER_WEBHOOK_SECRET: 'not-a-whsec',
      });
      expect(await child.exited).toEqual({ code: 2, signal: null });
      expect(child.lines).toHaveLength(1);
      const [line] = child.lines;
      expect(line.level).toBe('error');
      expect((line['problems'] as Array<{ variable: string }>).map((problem) => problem.variable).sort()).toEqual([
        'GCM_DATABASE_URL',
        'GCM_SCHEDULER_CRON',
        'GCM_SCHEDULER_PORT',
        'GCM_SCHEDULER_WEBHOOK_SECRET',
        'GCM_SCHEDULER_WEBHOOK_URL',
        'GENESYSCLOUD_OAUTHCLIENT_ID',
        'GENESYSCLOUD_REGION',
      ]);
      expect(line.msg).toContain('GENESYSCLOUD_OAUTHCLIENT_ID: is required: the OAuth client id (client credentials grant)');
      expect(line.msg).toMatch(/^Invalid scheduler configuration: 7 variables need fixing\./);
      expect(line.msg).toContain('GCM_SCHEDULER_PORT="99999": must be a port number from 0 to 65535');
      const everything = JSON.stringify(child.lines) + child.stderr.join('\n');
      expect(everything).not.toContain('very-secret-value');
      expect(everything).not.toContain('hunter2');
      expect(everything).not.toContain('not-a-whsec');
    } finally {
      await workspace.dispose();
    }
  });
});

describe('scheduler process: one run at a time, graceful shutdown', () => {
  const world: World = { seed: 37, conversations: 30, days: 1 };
  let sandbox: RunningSandbox;
  let now: string;
  let env: Record<string, string>;
  let workspace: Awaited<ReturnType<typeof schedulerWorkspace>>;

  beforeAll(async () => {
    ({ sandbox, now, env } = await startWorld(world));
    workspace = await schedulerWorkspace();
  });

  afterAll(async () => {
    await sandbox?.close();
    await workspace?.dispose();
  });

  it('skips a cron tick while a run is going, hands its work back on SIGTERM, the next start finishes the window, and a --backfill of it writes nothing', async () => {
    // 20 requests per second: the start-up run lasts a few seconds; the cron fires every second
    const slow = new SchedulerProcess({
      ...workspace.env,
      ...env,
      GCM_SCHEDULER_RATE_LIMIT: '1200',
      GCM_SCHEDULER_RUN_AT_START: 'true',
      GCM_SCHEDULER_CRON: '* * * * * *',
      GCM_SCHEDULER_SHUTDOWN_GRACE: '0s',
      GCM_SCHEDULER_REPLICA_ID: 'replica-1',
    });
    await slow.waitFor((line) => line.msg === 'Archive run skipped: the previous run is still going', 'a skipped tick');
    await slow.waitFor((line) => typeof line.msg === 'string' && /^Conversation \S+ archived$/.test(line.msg), 'a first archived conversation');
    slow.signal('SIGTERM');
    expect(await slow.exited).toEqual({ code: 0, signal: null });
    const stopped = slow.lines.find(isRunEnd);
    expect(stopped).toMatchObject({ msg: 'Archive run cancelled', status: 'cancelled' });
    expect(slow.count((line) => typeof line.msg === 'string' && line.msg.startsWith('Archive run started'))).toBe(1);
    expect(slow.lines.some((line) => line.msg === 'Waiting for the archive run to stop')).toBe(true);

    const store = await openDatabase(workspace.env['GCM_DATABASE_URL']);
    try {
      const queue = (stopped?.['windows'] as Array<{ queue: string }>)[0].queue;
      expect((await store.workItems.countByStatus(queue))['in-flight']).toBe(0);
      expect((await store.checkpoints.get('archive:lease'))?.resumeToken).toMatchObject({ owner: null });
    } finally {
      await store.close();
    }

    const next = new SchedulerProcess({ ...workspace.env, ...env, GCM_SCHEDULER_RUN_AT_START: 'true', GCM_SCHEDULER_REPLICA_ID: 'replica-1' });
    const done = await next.waitFor(isRunEnd, 'the end of the resumed run');
    next.signal('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(done.msg).toBe('Archive run succeeded');
    expect((done['windows'] as unknown[])[0]).toMatchObject({ resumed: true, complete: true, found: world.conversations });
    const window = (done['windows'] as Array<{ start: string; end: string }>)[0];
    expect(await inspectAgainstTruth(world, now, workspace.env['GCM_ARCHIVE_DIR'], Date.parse(window.end))).toMatchObject({
      missing: [],
      duplicated: [],
      corrupted: [],
      mismatched: [],
      versions: world.conversations,
    });

    // the same window again, one-shot: everything is synced, nothing is written, exit 0
    const files = await filesUnder(workspace.env['GCM_ARCHIVE_DIR']);
    const backfill = new SchedulerProcess({ ...workspace.env, ...env, GCM_SCHEDULER_REPLICA_ID: 'replica-1' }, ['--backfill', `${window.start}/${window.end}`]);
    const backfilled = await backfill.waitFor(isRunEnd, 'the end of the backfill');
    expect(await backfill.exited).toEqual({ code: 0, signal: null });
    expect(backfilled).toMatchObject({ msg: 'Archive run succeeded', kind: 'backfill', found: world.conversations, archived: 0, unchanged: world.conversations });
    expect(await filesUnder(workspace.env['GCM_ARCHIVE_DIR'])).toEqual(files);
    const after = await openDatabase(workspace.env['GCM_DATABASE_URL']);
    try {
      for (const id of sandbox.truth.conversationIds()) expect(await after.archiveIndex.versions(id)).toHaveLength(1);
    } finally {
      await after.close();
    }
  });
});
