import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateWebhookSecret, verifyWebhook } from '@gcm/audit';
import type { RunningSandbox } from '@gcm/genesys-sandbox';
import { openDatabase } from '@gcm/store';
import { isOutcome, isRunEnd, schedulerWorkspace, SchedulerProcess, type LogLine } from '../test/scheduler-process';
import { inspectAgainstTruth, startWorld, type World } from '../test/sandbox-world';
import { seeded } from '../test/seeded';

const LONG = process.env['GCM_LONG_TESTS'] === '1';
const KILLS = LONG ? 10 : 3;
// real processes wait out Retry-After for real, so 429s are rarer here than in the
// fake-clock 2,000-conversation spec of libs/archive; the other flaky faults stay
const world: World = { seed: 41, conversations: LONG ? 400 : 150, days: 1, faults: LONG ? 'flaky,http429=0.01' : undefined };

jest.setTimeout(LONG ? 600_000 : 180_000);
afterAll(() => SchedulerProcess.killLeftovers());

describe(`scheduler killed with SIGKILL ${KILLS} times during a run (${world.conversations} conversations, SQLite file, filesystem archive)`, () => {
  let sandbox: RunningSandbox;
  let now: string;
  let env: Record<string, string>;
  let workspace: Awaited<ReturnType<typeof schedulerWorkspace>>;
  let finished: LogLine;
  const secret = generateWebhookSecret();
  /** webhook-id → conversation id of every signed delivery received */
  const received = new Map<string, string>();
  let receiver: Server;

  beforeAll(async () => {
    ({ sandbox, now, env } = await startWorld(world));
    workspace = await schedulerWorkspace();
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        verifyWebhook(secret, request.headers, body);
        received.set(String(request.headers['webhook-id']), JSON.parse(body).data.conversationId);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    env = {
      ...workspace.env,
      ...env,
      GCM_SCHEDULER_RUN_AT_START: 'true',
      GCM_SCHEDULER_REPLICA_ID: 'replica-1',
      GCM_SCHEDULER_MAX_ATTEMPTS: '8',
      GCM_SCHEDULER_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/archive-events`,
      GCM_SCHEDULER_WEBHOOK_SECRET: secret,
    };
  });

  afterAll(async () => {
    await sandbox?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await workspace?.dispose();
  });

  it('restarted after each kill, it finishes the window: the archive equals the truth, with no duplicates', async () => {
    const random = seeded(8_675_309);
    const kills: Array<{ after: number; outcomes: number }> = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const child = new SchedulerProcess(env);
      // 0: as soon as the run starts (the search is still going); otherwise after that
      // many conversations of this process, while others are mid-write
      const after = Math.floor(random() * 30);
      const moment = await child.waitFor(
        (line) => isRunEnd(line) || (after === 0 ? String(line.msg).startsWith('Archive run started') : isOutcome(line) && child.count(isOutcome) >= after),
        `moment ${kill + 1}`,
      );
      expect(isRunEnd(moment)).toBe(false);
      await child.crash();
      kills.push({ after, outcomes: child.count(isOutcome) });
    }
    process.stdout.write(`kills: ${JSON.stringify(kills)}\n`);

    const last = new SchedulerProcess(env);
    const port = await last.port();
    finished = await last.waitFor(isRunEnd, 'the end of the run');
    process.stdout.write(`final run: ${finished['durationMs']} ms, ${finished['archived']} archived, ${finished['apiCalls']} API calls\n`);
    expect(finished).toMatchObject({ msg: 'Archive run succeeded', status: 'succeeded', parked: 0 });
    // the interrupted window, and maybe a short one since (a long test outlives the 1-minute minimum)
    const [resumed, ...since] = finished['windows'] as Array<{ complete: boolean; resumed: boolean; found: number }>;
    expect(resumed).toMatchObject({ complete: true, resumed: true, found: world.conversations });
    expect(since.every((window) => window.complete && window.found === 0)).toBe(true);

    // the process that finished serves its health, readiness and metrics
    const base = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ status: 'ready', lastRun: { runId: finished['runId'], status: 'succeeded' } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('gcm_scheduler_runs_total{kind="scheduled",status="succeeded"} 1');
    expect(metrics).toMatch(/gcm_archive_conversations_total\{outcome="archived"\} \d+/);
    expect(metrics).toContain('gcm_audit_records_total');
    // archived up to the end of the last window: the lag gauge is the distance from it to now
    const lastEnd = Date.parse((finished['windows'] as Array<{ end: string }>).at(-1)?.end ?? '');
    const lag = Number(/^gcm_archive_watermark_lag_seconds (\S+)$/m.exec(metrics)?.[1]);
    expect(Math.abs(lag - (Date.now() - lastEnd) / 1_000)).toBeLessThan(10);
    last.signal('SIGTERM');
    expect(await last.exited).toEqual({ code: 0, signal: null });

    // one JSON object per line, every line of the run tagged with its id, no secret anywhere
    expect(last.garbage).toEqual([]);
    const runLines = last.lines.filter((line) => line['context'] === 'ArchiveJob');
    expect(runLines.length).toBeGreaterThan(0);
    expect(runLines.filter((line) => line['runId'] !== finished['runId'])).toEqual([]);
    const output = JSON.stringify(last.lines) + last.stderr.join('\n');
    expect(output).not.toContain(sandbox.clientSecret);
    expect(output).not.toContain(secret);
    expect(last.lines.at(-1)?.msg).toBe('Scheduler stopped');
  });

  it('holds every conversation once: 0 missing, 0 duplicated, 0 corrupted; one index entry and one archive.completed event each', async () => {
    const window = (finished['windows'] as Array<{ end: string; queue: string }>)[0];
    const inspection = await inspectAgainstTruth(world, now, workspace.env['GCM_ARCHIVE_DIR'], Date.parse(window.end));
    expect(inspection).toMatchObject({ missing: [], unexpected: [], duplicated: [], corrupted: [], mismatched: [] });
    expect(inspection.expected).toBe(world.conversations);
    expect(inspection.versions).toBe(world.conversations);

    const store = await openDatabase(workspace.env['GCM_DATABASE_URL']);
    try {
      for (const id of sandbox.truth.conversationIds()) expect(await store.archiveIndex.versions(id)).toHaveLength(1);
      // one archive.completed per conversation in the outbox, whatever was delivered so far
      const statuses = ['pending', 'in-flight', 'done', 'dead'] as const;
      const events = (await Promise.all(statuses.map((status) => store.outbox.list('webhook', status, 10_000)))).flat();
      const completed = events.map((message) => JSON.parse(message.payload)).filter((event) => event.type === 'archive.completed');
      expect(completed).toHaveLength(world.conversations);
      expect(new Set(completed.map((event) => event.data.conversationId)).size).toBe(world.conversations);
      // deliveries are at least once, but a conversation is never announced under two ids
      const idsByConversation = new Map<string, Set<string>>();
      for (const [webhookId, conversationId] of received) idsByConversation.set(conversationId, (idsByConversation.get(conversationId) ?? new Set()).add(webhookId));
      expect([...idsByConversation.values()].filter((ids) => ids.size > 1)).toEqual([]);
      expect(await store.workItems.countByStatus(window.queue)).toEqual({ pending: 0, 'in-flight': 0, done: world.conversations, dead: 0 });
    } finally {
      await store.close();
    }
  });
});
