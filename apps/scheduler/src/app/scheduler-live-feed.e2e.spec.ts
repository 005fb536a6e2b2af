import { join } from 'node:path';
import { generateWebhookSecret } from '@gcm/audit';
import { startSandbox, type RunningSandbox, type SandboxWorkload } from '@gcm/genesys-sandbox';
import { crmOutboxKey, LiveEventsCheckpoint } from '@gcm/live-events';
import { CrmTestReceiver } from '@gcm/live-events/testing';
import { openDatabase } from '@gcm/store';
import { planTestDatabases } from '@gcm/store/testing';
import { expectedRecordKeys, startWorkload } from '../test/live-workload';
import { createTestSchema } from '../test/postgres-schema';
import { schedulerWorkspace, SchedulerProcess, type LogLine } from '../test/scheduler-process';

/**
 * Issue #11's acceptance in the deployed app: the scheduler runs the live feed
 * (LiveEvents → CRM outbox) and drains the outbox to a CRM; kill -9 during CRM sync, and
 * after the restart every record of what the sandbox did reaches the CRM exactly once,
 * checked by idempotency key. Then two replicas on one PostgreSQL: one runs the feed, the
 * other takes over when it dies.
 *
 * Real processes on real time (the sandbox too: the scheduler reads the system clock), so
 * the test waits on what the processes say and on the CRM's requests; the only polling is
 * of the outbox, another process's database.
 */
const LONG = process.env['GCM_LONG_TESTS'] === '1';
/** Sandbox changes per phase, and how many times the process is killed. */
const STEPS = LONG ? 150 : 30;
const KILLS = LONG ? 5 : 1;

jest.setTimeout(LONG ? 600_000 : 150_000);
afterAll(() => SchedulerProcess.killLeftovers());

const isStarted = (line: LogLine) => line.msg === 'Live feed started';

/** Rejects with `what` when `promise` takes longer than `ms` (real time: other processes are at work). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The sandbox, a CRM, and the environment of a scheduler that feeds one into the other. */
async function liveWorld(seed: number): Promise<{ sandbox: RunningSandbox; receiver: CrmTestReceiver; workload: SandboxWorkload; secret: string; env: Record<string, string> }> {
  // on the real clock, not shifted: the scheduler announces what happens after its own "now"
  const sandbox = await startSandbox({ seed, conversations: 40, days: 2, jobDelayMs: 0, agentReplyMs: false });
  const secret = generateWebhookSecret();
  const receiver = await new CrmTestReceiver({ secret }).start();
  const workload = startWorkload(sandbox, seed);
  const { catalog } = sandbox.truth;
  return {
    sandbox,
    receiver,
    workload,
    secret,
    env: {
      GENESYSCLOUD_API_BASE_URL: sandbox.apiBaseUrl,
      GENESYSCLOUD_OAUTHCLIENT_ID: sandbox.clientId,
      GENESYSCLOUD_OAUTHCLIENT_SECRET: sandbox.clientSecret,
      GCM_SCHEDULER_CRON: 'off',
      GCM_SCHEDULER_QA_CRON: 'off',
      GCM_SCHEDULER_RATE_LIMIT: '100000',
      GCM_SCHEDULER_CRM_URL: receiver.url,
      GCM_SCHEDULER_CRM_SECRET: secret,
      GCM_SCHEDULER_CRM_CRON: '* * * * * *',
      // a request the CRM never answers holds its records for 2 × 1 s + 5 s after a crash
      GCM_SCHEDULER_CRM_TIMEOUT: '1s',
      GCM_SCHEDULER_LIVE_QUEUE_IDS: catalog.queues.map((queue) => queue.id).join(','),
      GCM_SCHEDULER_LIVE_USER_IDS: catalog.agents.map((agent) => agent.id).join(','),
    },
  };
}

/** Makes `count` sandbox changes, then waits until the CRM applied something new. */
async function stepsReachingCrm(world: { workload: SandboxWorkload; receiver: CrmTestReceiver }, count: number): Promise<void> {
  steps(world.workload, count);
  const applied = world.receiver.applied.size;
  await within(
    world.receiver.when((r) => r.applied.size > applied),
    30_000,
    'records at the CRM',
  );
}

function steps(workload: SandboxWorkload, count: number): void {
  for (let i = 0; i < count; i++) workload.step();
}

/**
 * Waits until every workload record is at the CRM and the outbox is drained, then checks
 * exactly once: the CRM applied precisely the stored records, one time each, none dead.
 */
async function expectDeliveredExactlyOnce(databaseUrl: string, receiver: CrmTestReceiver, workload: SandboxWorkload): Promise<number> {
  const keys = expectedRecordKeys(workload);
  await within(
    receiver.when((r) => keys.every((key) => r.applied.has(key))),
    60_000,
    'every workload record at the CRM',
  ).catch((error: Error) => {
    const missing = keys.filter((key) => !receiver.applied.has(key));
    throw new Error(`${error.message}: ${missing.length} of ${keys.length} missing, e.g. ${missing.slice(0, 3).join(', ')}`);
  });
  const store = await openDatabase(databaseUrl, { migrate: false });
  try {
    const deadline = Date.now() + 30_000;
    let counts = await store.outbox.countByStatus('crm');
    while (counts.pending + counts['in-flight'] > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      counts = await store.outbox.countByStatus('crm');
    }
    expect(counts).toMatchObject({ pending: 0, 'in-flight': 0, dead: 0 });
    const stored = (await store.outbox.list('crm', 'done', 100_000)).map((message) => message.idempotencyKey);
    expect(stored.sort()).toEqual([...receiver.applied.keys()].map((key) => crmOutboxKey('crm', key)).sort());
    expect(receiver.applied.size).toBe(stored.length);
    for (const key of keys) expect(receiver.applied.has(key)).toBe(true);
    expect(receiver.rejectedSignatures).toBe(0);
    return stored.length;
  } finally {
    await store.close();
  }
}

describe(`scheduler live feed: kill -9 during CRM sync ${KILLS === 1 ? 'once' : `${KILLS} times`} (SQLite file)`, () => {
  let world: Awaited<ReturnType<typeof liveWorld>>;
  let workspace: Awaited<ReturnType<typeof schedulerWorkspace>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    world = await liveWorld(29);
    workspace = await schedulerWorkspace();
    env = { ...workspace.env, ...world.env, GCM_SCHEDULER_REPLICA_ID: 'replica-1' };
  });

  afterAll(async () => {
    await world?.receiver.close();
    await world?.sandbox.close();
    await workspace?.dispose();
  });

  it('restarted after kill -9, it resumes from its checkpoint and every record reaches the CRM exactly once', async () => {
    const { receiver, workload, sandbox, secret } = world;
    const held: string[][] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const child = new SchedulerProcess(env);
      const started = await child.waitFor(isStarted, 'the live feed to start');
      if (kill === 0) expect(started['resumedFrom']).toBeNull();
      else expect(started['resumedFrom']).toEqual(expect.any(String));
      await stepsReachingCrm(world, STEPS);

      // the next batch is applied by the CRM but never answered: the scheduler dies waiting
      receiver.holdNext();
      const before = receiver.batches.length;
      steps(workload, STEPS);
      await within(
        receiver.when((r) => r.batches.length > before),
        30_000,
        'the held batch',
      );
      await child.crash();
      held.push(receiver.batches[before].records.map((record) => record.idempotencyKey));

      // changes while no scheduler runs: nobody listens
      steps(workload, STEPS);
    }

    const last = new SchedulerProcess(env);
    const port = await last.port();
    const started = await last.waitFor(isStarted, 'the live feed to start again');
    expect(started['resumedFrom']).toEqual(expect.any(String));
    steps(workload, STEPS);
    const delivered = await expectDeliveredExactlyOnce(workspace.env['GCM_DATABASE_URL'], receiver, workload);
    process.stdout.write(`live feed: ${delivered} records delivered once each; ${receiver.duplicateDeliveries} repeated deliveries recognised by key\n`);

    // each held batch was sent again after the restart, and recognised by its keys
    const sent = receiver.batches.flatMap((batch) => batch.records.map((record) => record.idempotencyKey));
    for (const keys of held) {
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(sent.filter((k) => k === key).length).toBeGreaterThanOrEqual(2);
    }
    expect(receiver.duplicateDeliveries).toBeGreaterThanOrEqual(held.flat().length);

    // health and metrics report the feed
    const base = `http://127.0.0.1:${port}`;
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { status: string; liveFeed: Record<string, unknown> };
    expect(ready.status).toBe('ready');
    expect(ready.liveFeed).toMatchObject({ state: 'running', channelsOpen: 1, topics: { permitted: expect.any(Number), rejected: 0 } });
    expect(ready.liveFeed['eventsWritten']).toBeGreaterThan(0);
    expect(Date.parse(String(ready.liveFeed['lastEventAt']))).toBeGreaterThan(Date.parse(String(started['time'])));
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('gcm_live_feed_running 1');
    expect(metrics).toContain('gcm_live_feed_channels_open 1');
    expect(metrics).toMatch(/gcm_live_feed_events_total\{type="message\.received"\} [1-9]/);

    // SIGTERM: the feed closes and saves its watermark, the process exits 0
    last.signal('SIGTERM');
    expect(await last.exited).toEqual({ code: 0, signal: null });
    const stopped = await last.waitFor((line) => line.msg === 'Live feed stopped', 'the feed to stop');
    const store = await openDatabase(workspace.env['GCM_DATABASE_URL'], { migrate: false });
    try {
      expect(await new LiveEventsCheckpoint(store, 'crm').load()).toBe(Date.parse(String(stopped['watermark'])));
    } finally {
      await store.close();
    }
    expect(last.garbage).toEqual([]);
    const output = JSON.stringify(last.lines) + last.stderr.join('\n');
    expect(output).not.toContain(sandbox.clientSecret);
    expect(output).not.toContain(secret);
  });
});

const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);
const postgres = plan.engines.includes('postgres') ? describe : describe.skip;

postgres('scheduler live feed on two replicas sharing one PostgreSQL', () => {
  let world: Awaited<ReturnType<typeof liveWorld>>;
  let workspace: Awaited<ReturnType<typeof schedulerWorkspace>>;
  let databaseUrl: string;
  let dropSchema: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ url: databaseUrl, drop: dropSchema } = await createTestSchema(plan));
    world = await liveWorld(31);
    workspace = await schedulerWorkspace();
  });

  afterAll(async () => {
    await world?.receiver.close();
    await world?.sandbox.close();
    await workspace?.dispose();
    await dropSchema?.();
  });

  it('one replica runs the feed; the other takes over when it dies; the CRM gets every record exactly once', async () => {
    const { receiver, workload, sandbox } = world;
    const replica = (id: string) =>
      new SchedulerProcess({
        ...workspace.env,
        ...world.env,
        GCM_DATABASE_URL: databaseUrl,
        GCM_SCHEDULER_AUDIT_DIR: join(workspace.dir, `audit-${id}`),
        GCM_SCHEDULER_REPLICA_ID: id,
        GCM_SCHEDULER_LIVE_LEASE: '3s',
      });
    const first = replica('replica-a');
    await first.waitFor(isStarted, 'replica-a to run the feed');
    const second = replica('replica-b');
    const standby = await second.waitFor((line) => line.msg === 'Live feed on standby: another replica runs it', 'replica-b to wait');
    expect(standby['runningOn']).toBe('replica-a');

    await stepsReachingCrm(world, STEPS);
    // only one replica follows the topics: one channel, connected, and replica-b never started the feed
    expect(sandbox.notifications.channels().filter((channel) => channel.connected)).toHaveLength(1);
    expect(second.count(isStarted)).toBe(0);

    await first.crash();
    steps(workload, STEPS);
    const takeover = await second.waitFor(isStarted, 'replica-b to take over');
    expect(takeover['resumedFrom']).toEqual(expect.any(String));
    steps(workload, STEPS);

    const delivered = await expectDeliveredExactlyOnce(databaseUrl, receiver, workload);
    process.stdout.write(`two replicas: ${delivered} records delivered once each; ${receiver.duplicateDeliveries} repeated deliveries recognised by key\n`);
    second.signal('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});
