import { generateWebhookSecret } from '@gcm/audit';
import { FakeClock, TestDatabase, planTestDatabases, sequenceRandom } from '@gcm/store/testing';
import { CrmTestReceiver } from '../../testing';
import type { LiveEvent } from '../events/live-event.model';
import { CrmOutboxSink } from './crm-outbox.sink';
import { CrmSyncJob, type CrmSyncJobOptions } from './crm-sync.job';

const plan = planTestDatabases(process.env);
if (plan.skipped) console.warn(plan.skipped);

function messageEvent(n: number, conversationId = 'c-1'): LiveEvent {
  return {
    id: `${conversationId}:message:m${n}`,
    type: 'message.received',
    conversationId,
    queueIds: ['q-1'],
    occurredAt: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(),
    observedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(),
    origin: 'live',
    message: { id: `m${n}`, direction: 'inbound', timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(), participantId: 'p-1', text: `hello ${n}`, attachments: [] },
  };
}

describe.each(plan.engines)('CRM sync through the outbox (%s)', (engine) => {
  let db: TestDatabase;
  let clock: FakeClock;
  let receiver: CrmTestReceiver;
  const secret = generateWebhookSecret();

  beforeEach(async () => {
    clock = new FakeClock(Date.UTC(2024, 0, 1));
    db = await TestDatabase.create(engine, plan, { clock, random: sequenceRandom(0.5), retryPolicy: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 } });
    receiver = await new CrmTestReceiver({ secret, now: () => clock.now() }).start();
  });

  afterEach(async () => {
    await receiver.close();
    await db.dispose();
  });

  function job(options: Partial<CrmSyncJobOptions> = {}): CrmSyncJob {
    return new CrmSyncJob({
      store: db.store,
      endpoints: [{ id: 'crm', url: receiver.url, secret, headers: { 'x-api-key': 'crm-api-key-123' } }],
      batchSize: 3,
      maxDelayMs: 5_000,
      clock,
      random: () => 0.5,
      ...options,
    });
  }

  const sink = () => new CrmOutboxSink({ store: db.store, destination: 'crm' });

  it('stores each record once, however often its event is written', async () => {
    const outbox = sink();
    await outbox.write([messageEvent(1), messageEvent(2)]);
    await outbox.write([messageEvent(2), messageEvent(3)]);
    const counts = await db.store.outbox.countByStatus('crm');
    expect(counts.pending).toBe(3);
    // stream events are not CRM records
    await outbox.write([{ id: 'channel:x:opened:1', type: 'stream.channel', queueIds: [], occurredAt: '', observedAt: '', origin: 'system', change: 'opened', channelId: 'x' }]);
    expect((await db.store.outbox.countByStatus('crm')).pending).toBe(3);
  });

  it('sends a full batch at once and a partial one only after maxDelayMs', async () => {
    await sink().write([1, 2, 3, 4, 5, 6, 7].map((n) => messageEvent(n)));
    const sync = job();
    const first = await sync.run();
    expect(first).toMatchObject({ batches: 2, delivered: 6, duplicates: 0 });
    expect(receiver.batches.map((b) => b.records.length)).toEqual([3, 3]);

    expect((await sync.run()).batches).toBe(0); // one record left, not old enough
    clock.advance(5_000);
    expect(await sync.run()).toMatchObject({ batches: 1, delivered: 1 });
    // records enqueued in one transaction have no order among themselves; each batch is in occurredAt order
    expect([...receiver.applied.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `c-1:message:m${n}`));
    for (const batch of receiver.batches) {
      const times = batch.records.map((r) => r.occurredAt);
      expect(times).toEqual([...times].sort());
    }
    // each batch is signed and carries its id as the Idempotency-Key
    expect(receiver.batches.every((b) => b.webhookId === b.batchId && b.idempotencyKeyHeader === b.batchId)).toBe(true);
    expect((receiver.applied.get('c-1:message:m1')?.data as LiveEvent).type).toBe('message.received');
  });

  it('retries a failed batch after its backoff, honouring Retry-After', async () => {
    await sink().write([messageEvent(1), messageEvent(2), messageEvent(3)]);
    receiver.failNext(503, 30);
    const sync = job();
    expect(await sync.run()).toMatchObject({ batches: 1, retried: 3, delivered: 0 });
    const [pending] = await db.store.outbox.list('crm', 'pending', 1);
    expect(pending.nextAttemptAt - clock.now()).toBe(30_000);
    expect(pending.lastError).toContain('answered HTTP 503');
    expect((await sync.run()).batches).toBe(0);
    clock.advance(30_000);
    expect(await sync.run()).toMatchObject({ batches: 1, delivered: 3 });
    expect(receiver.applied.size).toBe(3);
  });

  it('dead-letters after the last attempt, keeps secrets out of the error, and replays with the same key', async () => {
    await sink().write([messageEvent(1)]);
    const wrong = job({ endpoints: [{ id: 'crm', url: receiver.url, secret: generateWebhookSecret(), headers: { 'x-api-key': 'crm-api-key-123' } }] });
    for (let attempt = 0; attempt < 3; attempt++) {
      await wrong.run({ flush: true });
      clock.advance(120_000);
    }
    expect(receiver.rejectedSignatures).toBe(3);
    const [dead] = await wrong.deadLetters();
    expect(dead.idempotencyKey).toBe('crm:crm:c-1:message:m1');
    expect(dead.lastError).toContain('answered HTTP 401');
    expect(dead.lastError).not.toContain('crm-api-key-123');
    expect(await job().run({ flush: true })).toMatchObject({ claimed: 0 });

    expect(await wrong.replay(dead.id)).toBe(true);
    expect(await job().run({ flush: true })).toMatchObject({ delivered: 1 });
    expect([...receiver.applied.keys()]).toEqual(['c-1:message:m1']);
  });

  it('takes over the records of a worker that died mid-request; the CRM sees the repeat by key', async () => {
    await sink().write([messageEvent(1), messageEvent(2), messageEvent(3)]);
    receiver.holdNext();
    const crashed = job({ owner: 'worker-a', leaseMs: 10_000, timeoutMs: 60_000 });
    const inFlight = crashed.run();
    await receiver.when((r) => r.batches.length === 1);
    expect(receiver.applied.size).toBe(3);
    // worker-a is gone; its lease runs out
    clock.advance(10_000);
    const report = await job({ owner: 'worker-b' }).run();
    expect(report).toMatchObject({ delivered: 3, duplicates: 3 });
    expect(receiver.applied.size).toBe(3);
    expect(receiver.duplicateDeliveries).toBe(3);
    await receiver.close();
    await inFlight.catch(() => undefined);
  });

  it('fails only the records the CRM rejects', async () => {
    await sink().write([messageEvent(1), messageEvent(2)]);
    const fetchImpl: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as { records: Array<{ idempotencyKey: string }> };
      const results = body.records.map((r) => ({ idempotencyKey: r.idempotencyKey, status: r.idempotencyKey.endsWith('m2') ? 'rejected' : 'accepted', error: 'unknown contact' }));
      return new Response(JSON.stringify({ results }), { status: 200 });
    };
    expect(await job({ fetch: fetchImpl }).run({ flush: true })).toMatchObject({ delivered: 1, retried: 1 });
    const [retry] = await db.store.outbox.list('crm', 'pending', 5);
    expect(retry.idempotencyKey).toBe('crm:crm:c-1:message:m2');
    expect(retry.lastError).toContain('rejected the record: unknown contact');
  });
});
