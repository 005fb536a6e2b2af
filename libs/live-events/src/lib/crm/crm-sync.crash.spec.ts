import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateWebhookSecret } from '@gcm/audit';
import { SandboxWorkload, startSandbox, type RunningSandbox } from '@gcm/genesys-sandbox';
import { openDatabase, type StoreDatabase } from '@gcm/store';
import { CrmTestReceiver } from '../../testing';
import type { LiveEvent } from '../events/live-event.model';
import { seededRandom, until } from '../test/event-loop';
import { crmOutboxKey } from './crm-outbox.sink';

/**
 * kill -9 during CRM sync. A real worker process (LiveEvents → outbox in a SQLite file →
 * CrmSyncJob) is killed while the CRM holds a batch it has applied but not answered, and
 * while the sandbox keeps changing; a new worker on the same file must then deliver every
 * record, the CRM applying each exactly once by its idempotency key.
 *
 * The sandbox runs on real time here, because the worker is another process; the test
 * itself waits only for I/O (worker output, CRM requests), never for a timer.
 */
const WORKER = resolve(__dirname, '../test/crm-sync.worker.ts');
const ROOT = resolve(__dirname, '../../../../..');

interface Worker {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('CRM sync survives kill -9 (real child process, SQLite file)', () => {
  jest.setTimeout(60_000);

  let sandbox: RunningSandbox;
  let receiver: CrmTestReceiver;
  let directory: string;
  let store: StoreDatabase | undefined;
  const workers: Worker[] = [];
  const crmSecret = generateWebhookSecret();

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 23, conversations: 60, days: 3 });
    receiver = await new CrmTestReceiver({ secret: crmSecret }).start();
    directory = mkdtempSync(join(tmpdir(), 'gcm-crm-crash-'));
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await store?.close();
    await receiver?.close();
    await sandbox?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  function startWorker(): Worker {
    const catalog = sandbox.truth.catalog;
    const config = {
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      databasePath: join(directory, 'gcm.sqlite'),
      crmUrl: receiver.url,
      queueIds: catalog.queues.map((q) => q.id),
      userIds: catalog.agents.map((a) => a.id),
      batchSize: 8,
      maxDelayMs: 30,
      leaseMs: 300,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      cwd: ROOT,
      env: {
        ...process.env,
        GCM_CRM_WORKER: JSON.stringify(config),
        GCM_CRM_WORKER_CLIENT_SECRET: sandbox.clientSecret,
        GCM_CRM_WORKER_CRM_SECRET: crmSecret,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker: Worker = {
      child,
      lines: [],
      stderr: '',
      exited: new Promise((done) => child.on('exit', (code, signal) => done({ code, signal }))),
    };
    let pending = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) worker.lines.push(JSON.parse(line));
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (worker.stderr += chunk));
    workers.push(worker);
    return worker;
  }

  async function ready(worker: Worker): Promise<Record<string, unknown>> {
    await until(() => worker.lines.some((l) => l['event'] === 'ready' || l['event'] === 'fatal') || worker.child.exitCode !== null, 'the worker to start', 30_000).catch((error) => {
      throw new Error(`${(error as Error).message}; stderr: ${worker.stderr.slice(-2_000)}`);
    });
    const line = worker.lines.find((l) => l['event'] === 'ready');
    if (!line) throw new Error(`the worker did not start: ${JSON.stringify(worker.lines)} ${worker.stderr.slice(-2_000)}`);
    return line;
  }

  it('delivers every record exactly once across a kill -9 mid-batch and changes made while it was down', async () => {
    const ongoing = sandbox.truth
      .conversationIds()
      .filter((id) => sandbox.truth.conversation(id)?.participants.some((p) => p.purpose === 'agent' && p.userId && p.state === 'connected'))
      .slice(0, 5);
    const workload = new SandboxWorkload(sandbox, seededRandom(41), ongoing);

    // ── first worker: live changes flow to the CRM ──
    const first = startWorker();
    expect((await ready(first))['resumedFrom']).toBeNull();
    for (let i = 0; i < 80; i++) workload.step();
    await until(() => receiver.applied.size >= 40, 'the first records at the CRM', 20_000);

    // the next batch reaches the CRM, which applies it and never answers: the worker dies waiting
    receiver.holdNext();
    const batchesBefore = receiver.batches.length;
    for (let i = 0; i < 20; i++) workload.step();
    await until(() => receiver.batches.length > batchesBefore, 'the held batch', 20_000);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const heldBatch = receiver.batches[batchesBefore];
    expect(heldBatch.records.length).toBeGreaterThan(0);

    // ── changes while no worker runs: nobody listens ──
    for (let i = 0; i < 40; i++) workload.step();

    // ── a new worker on the same file resumes from the saved watermark ──
    const second = startWorker();
    const resumed = await ready(second);
    expect(typeof resumed['resumedFrom']).toBe('number');
    for (let i = 0; i < 40; i++) workload.step();

    const log = workload.log;
    const expectedKeys = [
      ...[...log.messages].map(([id, m]) => `${m.conversationId}:message:${id}`),
      ...[...log.receipts.keys()].map((key) => {
        const [messageId, status] = key.split(':');
        return `${log.messages.get(messageId)!.conversationId}:receipt:${messageId}:${status}`;
      }),
    ];
    await until(() => expectedKeys.every((key) => receiver.applied.has(key)), 'every workload record at the CRM', 20_000).catch((error) => {
      const missing = expectedKeys.filter((key) => !receiver.applied.has(key));
      throw new Error(`${(error as Error).message}: ${missing.length} of ${expectedKeys.length} missing, e.g. ${missing.slice(0, 3).join(', ')}`);
    });

    // the outbox drains completely: every record stored was delivered
    store = await openDatabase(`sqlite:${join(directory, 'gcm.sqlite')}`, { migrate: false });
    // (polled between event-loop turns: the worker is another process)
    const deadline = Date.now() + 20_000;
    let counts = await store.outbox.countByStatus('crm');
    while (counts.pending + counts['in-flight'] > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      counts = await store.outbox.countByStatus('crm');
    }
    expect(counts).toMatchObject({ pending: 0, 'in-flight': 0, dead: 0 });
    const stored = await store.outbox.list('crm', 'done', 100_000);

    // exactly once: the CRM applied precisely the stored records, each one time
    expect(stored.map((m) => m.idempotencyKey).sort()).toEqual([...receiver.applied.keys()].map((key) => crmOutboxKey('crm', key)).sort());
    expect(receiver.applied.size).toBe(stored.length);
    // the held batch was sent again after the restart, and recognised by its keys
    expect(receiver.duplicateDeliveries).toBeGreaterThanOrEqual(heldBatch.records.length);
    const delivered = receiver.batches.flatMap((b) => b.records.map((r) => r.idempotencyKey));
    for (const record of heldBatch.records) expect(delivered.filter((key) => key === record.idempotencyKey).length).toBeGreaterThanOrEqual(2);
    // nothing of the workload is missing, including what changed while no worker ran
    for (const key of expectedKeys) expect(receiver.applied.has(key)).toBe(true);
    expect(receiver.rejectedSignatures).toBe(0);

    // queue and agent attribution from live events (the .messages topics nest them as queue:{id}, user:{id})
    const liveRecords = [...receiver.applied.values()].map((r) => r.data as LiveEvent).filter((e) => e.origin === 'live' && e.conversationId);
    expect(liveRecords.length).toBeGreaterThan(20);
    for (const event of liveRecords) expect(event.queueIds).toContain(sandbox.truth.summary(event.conversationId!)!.queueId);
    const agentRecords = liveRecords.flatMap((e) => ('participant' in e && e.participant.purpose === 'agent' ? [e.participant] : []));
    expect(agentRecords.length).toBeGreaterThan(0);
    for (const participant of agentRecords) {
      expect(participant.userId).toEqual(expect.any(String));
      expect(sandbox.truth.catalog.agents.map((a) => a.id)).toContain(participant.userId);
    }

    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});
