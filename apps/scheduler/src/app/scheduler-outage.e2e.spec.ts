import type { RunningSandbox } from '@gcm/genesys-sandbox';
import { openDatabase } from '@gcm/store';
import { planTestDatabases, TcpCutProxy } from '@gcm/store/testing';
import { createTestSchema } from '../test/postgres-schema';
import { isOutcome, schedulerWorkspace, SchedulerProcess, type LogLine } from '../test/scheduler-process';
import { until } from '../test/poll';
import { inspectAgainstTruth, startWorld, type World } from '../test/sandbox-world';

/**
 * PostgreSQL goes away in the middle of the scheduler's start-up run (a TCP proxy between
 * the scheduler and the server cuts every connection and refuses new ones), for longer
 * than GCM_STORE_RETRY: the run fails and says why, the process stays up, /readyz answers
 * 503 during the outage and 200 after it, and the next cron tick finishes the window.
 * GCM_LONG_TESTS=1 cuts for 20 s.
 */
const LONG = process.env['GCM_LONG_TESTS'] === '1';
const CUT_MS = LONG ? 20_000 : 4_000;
const CRON_INTERVAL_MS = 3_000;
jest.setTimeout(LONG ? 300_000 : 120_000);
afterAll(() => SchedulerProcess.killLeftovers());

const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);
const postgres = plan.engines.includes('postgres') ? describe : describe.skip;

const runEnd = (status: string, after = 0) => (line: LogLine) => line.msg === `Archive run ${status}` && Date.parse(String(line['time'])) >= after;

postgres('the scheduler through a PostgreSQL outage during its start-up run', () => {
  const world: World = { seed: 52, conversations: LONG ? 300 : 60, days: 1 };
  let sandbox: RunningSandbox;
  let now: string;
  let env: Record<string, string>;
  let workspace: Awaited<ReturnType<typeof schedulerWorkspace>>;
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let proxy: TcpCutProxy;

  beforeAll(async () => {
    schema = await createTestSchema(plan, 'gcm_outage');
    const target = new URL(plan.postgresUrl as string);
    proxy = await TcpCutProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    ({ sandbox, now, env } = await startWorld(world));
    workspace = await schedulerWorkspace();
  });

  afterAll(async () => {
    await proxy?.stop();
    await sandbox?.close();
    await workspace?.dispose();
    await schema?.drop();
  });

  it('survives, is not ready while the database is gone, and the next tick finishes the window; no job run is left running', async () => {
    const child = new SchedulerProcess({
      ...workspace.env,
      ...env,
      GCM_DATABASE_URL: proxy.rewrite(schema.url),
      GCM_SCHEDULER_REPLICA_ID: 'replica-outage',
      GCM_SCHEDULER_RUN_AT_START: 'true',
      GCM_SCHEDULER_CRON: `*/${CRON_INTERVAL_MS / 1_000} * * * * *`,
      // about 10 conversations a second: the start-up run is still going when the line is cut
      GCM_SCHEDULER_RATE_LIMIT: '1200',
      GCM_SCHEDULER_CONCURRENCY: '2',
      GCM_STORE_RETRY: '2s',
    });
    const base = `http://127.0.0.1:${await child.port()}`;
    const readyz = async () => (await fetch(`${base}/readyz`)).status;
    await child.waitFor((line) => isOutcome(line) && child.count(isOutcome) >= 10, 'ten archived conversations');

    const cutAt = Date.now();
    await proxy.cut();
    const failed = await child.waitFor(runEnd('failed', cutAt), 'the start-up run failing');
    expect(String(failed['error'])).toMatch(/the database at 127\.0\.0\.1:\d+ is unreachable \((ECONNREFUSED|ECONNRESET)\); retried for \d+ s/);
    expect(await readyz()).toBe(503);
    // the outage outlasts the budget and a few cron ticks
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, cutAt + CUT_MS - Date.now())));
    expect(await readyz()).toBe(503);

    await proxy.restore();
    const restoredAt = Date.now();
    await until(readyz, (status) => status === 200, 10_000, '/readyz 200 after the outage');
    const started = await child.waitFor(
      (line) => String(line.msg).startsWith('Archive run started') && Date.parse(String(line['time'])) >= restoredAt,
      'a run after the outage',
    );
    expect(Date.parse(String(started['time'])) - restoredAt).toBeLessThanOrEqual(CRON_INTERVAL_MS + 1_000);
    const finished = await child.waitFor(runEnd('succeeded', restoredAt), 'a run finishing the window');
    expect(finished).toMatchObject({ parked: 0 });

    // said once per outage, not once per tick or per retried statement, and counted by class
    const outage = child.lines.filter((line) => line['context'] === 'Store' && line.level === 'error');
    expect(outage).toHaveLength(1);
    expect(outage[0].msg).toMatch(/^The database at 127\.0\.0\.1:\d+ is unreachable \((ECONNREFUSED|ECONNRESET)\); retrying for up to 2 s$/);
    expect(child.lines.filter((line) => line['context'] === 'Store' && /is reachable again/.test(line.msg))).toHaveLength(1);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(Number(/^gcm_store_errors_total\{class="connection"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);

    const at = (line: LogLine | undefined) => (line ? `${((Date.parse(String(line['time'])) - cutAt) / 1_000).toFixed(1)} s` : '-');
    process.stdout.write(
      `outage timeline (from the cut): start-up run failed ${at(failed)}, restored ${((restoredAt - cutAt) / 1_000).toFixed(1)} s, next run ${at(started)}, window finished ${at(finished)}; ${child.count((line) => /^Archive run failed$/.test(line.msg))} failed runs\n`,
    );
    child.signal('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.garbage).toEqual([]);

    const store = await openDatabase(schema.url, { migrate: false });
    try {
      expect(await store.jobRuns.running(['archive', 'archive:backfill'])).toEqual([]);
      const runs = await store.jobRuns.list('archive', 20);
      expect(runs.map((run) => run.status)).toContain('succeeded');
    } finally {
      await store.close();
    }
    const window = (finished['windows'] as Array<{ end: string }>)[0];
    const inspection = await inspectAgainstTruth(world, now, workspace.env['GCM_ARCHIVE_DIR'], Date.parse(window.end));
    expect(inspection).toMatchObject({ missing: [], unexpected: [], duplicated: [], corrupted: [], mismatched: [] });
  });
});
