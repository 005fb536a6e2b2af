import type { RunningSandbox } from '@gcm/genesys-sandbox';
import { startWorld, inspectAgainstTruth, type World } from '../test/sandbox-world';
import { isRunEnd, SchedulerProcess, schedulerWorkspace } from '../test/scheduler-process';

/** How long a scheduler may take to stop after SIGTERM before the test kills it. */
const STOP_LIMIT_MS = 20_000;

/**
 * The scheduler with a pool of two OAuth clients (GENESYSCLOUD_OAUTHCLIENT_ID_2 / _SECRET_2)
 * against a sandbox that counts its rate limit per client: both clients carry the archive,
 * /metrics counts requests per client id, and no secret of either reaches a log line.
 */
describe('scheduler process: OAuth client pool', () => {
  const world: World = { seed: 53, conversations: 30, days: 1, clients: 2, rateLimitPerMinute: 100_000 };
  let sandbox: RunningSandbox;
  let now: string;
  let env: Record<string, string>;
  let workspace: Awaited<ReturnType<typeof schedulerWorkspace>>;

  beforeAll(async () => {
    ({ sandbox, now, env } = await startWorld(world));
    workspace = await schedulerWorkspace();
  });
  afterAll(async () => {
    await SchedulerProcess.killLeftovers();
    await sandbox?.close();
    await workspace?.dispose();
  });

  it('archives through both clients and reports requests per client id in /metrics', async () => {
    const [first, second] = sandbox.clients;
    expect(env['GENESYSCLOUD_OAUTHCLIENT_ID_2']).toBe(second.clientId);
    const scheduler = new SchedulerProcess({ ...workspace.env, ...env, GCM_SCHEDULER_RUN_AT_START: 'true', GCM_SCHEDULER_REPLICA_ID: 'pool-1' });
    const done = await scheduler.waitFor(isRunEnd, 'the end of the start-up run');
    expect(done).toMatchObject({ msg: 'Archive run succeeded', archived: world.conversations });

    const metrics = await (await fetch(`http://127.0.0.1:${await scheduler.port()}/metrics`)).text();
    const requests = (clientId: string) => Number(new RegExp(`^gcm_genesys_requests_total\\{client_id="${clientId}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
    const byClient = sandbox.stats.snapshot().requests.byClient;
    // each client carried a share, and the scheduler counts what the sandbox saw per client
    for (const client of [first, second]) {
      expect(requests(client.clientId)).toBeGreaterThan(10);
      expect(requests(client.clientId)).toBe(Object.values(byClient[client.clientId]).reduce((a, b) => a + b, 0));
    }
    expect(metrics).toContain('# TYPE gcm_genesys_rate_limited_total counter');
    expect(metrics).not.toMatch(/^gcm_genesys_rate_limited_total\{[^}]*\} [1-9]/m); // no 429 at this rate limit
    expect(metrics).toMatch(new RegExp(`^gcm_genesys_rate_limit_remaining\\{client_id="${second.clientId}"\\} \\d+$`, 'm'));

    scheduler.signal('SIGTERM');
    const exit = await Promise.race([scheduler.exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_LIMIT_MS).unref())]);
    if (exit === 'timeout') await scheduler.crash();
    expect(exit).toEqual({ code: 0, signal: null });

    const output = [JSON.stringify(scheduler.lines), scheduler.stderr.join('\n'), scheduler.garbage.join('\n'), metrics].join('\n');
    for (const client of [first, second]) {
      expect(output).not.toContain(client.clientSecret);
      expect(output).not.toContain(Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64'));
    }
    const window = (done['windows'] as Array<{ end: string }>)[0];
    expect(await inspectAgainstTruth(world, now, workspace.env['GCM_ARCHIVE_DIR'], Date.parse(window.end))).toMatchObject({ missing: [], duplicated: [], corrupted: [], mismatched: [] });
  }, 120_000);
});
