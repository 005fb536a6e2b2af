import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { StoreDatabase } from '@gcm/store';
import { FakeClock, planTestDatabases, TestDatabase } from '@gcm/store/testing';
import { MemoryAuditLog } from '../../testing';
import { AuditErrorCode } from '../audit.error';
import { AuditMetrics } from '../metrics/audit-metrics';
import { WebhookDispatcher, WebhookDispatcherOptions } from './webhook-dispatcher';
import { generateWebhookSecret, verifyWebhook } from './webhook-signature';

const plan = planTestDatabases(process.env);
if (plan.skipped !== undefined) console.warn(plan.skipped);

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
}

interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * A real endpoint on 127.0.0.1: answers with the queued replies, then 204. Paths in
 * `hang` are never answered; paths in `fixed` always get the same reply.
 */
class Receiver {
  readonly received: Received[] = [];
  readonly replies: Reply[] = [];
  readonly hang = new Set<string>();
  readonly fixed = new Map<string, Reply>();
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), path });
        if (this.hang.has(path)) return;
        const reply = this.fixed.get(path) ?? this.replies.shift() ?? { status: 204 };
        response.writeHead(reply.status, reply.headers ?? {});
        response.end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(path = '/hooks/gcm'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const RETRY = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };

describe.each(plan.engines)('WebhookDispatcher over the %s outbox', (engine) => {
  const clock = new FakeClock(Date.UTC(2024, 6, 1, 9));
  const secret = generateWebhookSecret();
  let database: TestDatabase;
  let store: StoreDatabase;
  let receiver: Receiver;

  // a fresh database and endpoint per test: outbox contents never leak between tests
  beforeEach(async () => {
    database = await TestDatabase.create(engine, plan, { clock });
    store = database.store;
    receiver = new Receiver();
    await receiver.start();
  });

  afterEach(async () => {
    await receiver?.stop();
    await database?.dispose();
  });

  const dispatcher = (overrides: Partial<WebhookDispatcherOptions> = {}) =>
    new WebhookDispatcher({
      store,
      endpoints: [{ id: 'crm', url: receiver.url(), secret }],
      owner: 'dispatcher-1',
      retry: RETRY,
      clock,
      // full jitter with random() = 0.5: half of base·2^(attempt-1)
      random: () => 0.5,
      ...overrides,
    });

  it('retries an endpoint failing 3 times and ends with exactly one delivery done', async () => {
    const registry = new Registry();
    const audit = new MemoryAuditLog();
    const webhooks = dispatcher({ metrics: new AuditMetrics(registry), audit });
    const [message] = await webhooks.enqueue({
      type: 'conversation.archived',
      data: { conversationId: '3f2a9c1e-7b4d-4e8f-9a0b-2c3d4e5f6a7b', version: 1 },
      idempotencyKey: 'archived:3f2a9c1e:v1',
    });
    receiver.replies.push({ status: 500 }, { status: 503 }, { status: 502 });

    expect(await webhooks.deliverDue()).toEqual({ claimed: 1, delivered: 0, retried: 1, dead: 0 });
    // not due yet: nothing is sent before the backoff has passed
    expect(await webhooks.deliverDue()).toEqual({ claimed: 0, delivered: 0, retried: 0, dead: 0 });
    clock.advance(499);
    expect((await webhooks.deliverDue()).claimed).toBe(0);
    clock.advance(1);
    expect((await webhooks.deliverDue()).retried).toBe(1);
    clock.advance(1_000);
    expect((await webhooks.deliverDue()).retried).toBe(1);
    clock.advance(2_000);
    expect(await webhooks.deliverDue()).toEqual({ claimed: 1, delivered: 1, retried: 0, dead: 0 });
    clock.advance(RETRY.maxDelayMs);
    expect((await webhooks.deliverDue()).claimed).toBe(0);

    // the endpoint saw four signed attempts of one message
    expect(receiver.received).toHaveLength(4);
    expect(new Set(receiver.received.map((request) => request.headers['webhook-id']))).toEqual(new Set([message.id]));
    for (const request of receiver.received) {
      expect(request.body).toBe(message.payload);
      const when = Number(request.headers['webhook-timestamp']) * 1_000;
      expect(verifyWebhook(secret, request.headers, request.body, { now: when }).id).toBe(message.id);
    }
    expect(JSON.parse(receiver.received[0].body)).toEqual({
      type: 'conversation.archived',
      timestamp: '2024-07-01T09:00:00.000Z',
      data: { conversationId: '3f2a9c1e-7b4d-4e8f-9a0b-2c3d4e5f6a7b', version: 1 },
    });

    // and the outbox holds exactly one delivery, done after 4 attempts
    expect(await store.outbox.list('webhook', 'done')).toEqual([expect.objectContaining({ id: message.id, attempts: 4, status: 'done' })]);
    expect(audit.actions()).toEqual(['webhook.delivered']);
    const deliveries = (await registry.getMetricsAsJSON()).find((m) => m.name === 'gcm_webhook_deliveries_total');
    expect(deliveries?.values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { outcome: 'retry' }, value: 3 }),
        expect.objectContaining({ labels: { outcome: 'delivered' }, value: 1 }),
      ]),
    );
  });

  it('enqueues once per idempotency key, and only when the transaction commits', async () => {
    const webhooks = dispatcher();
    const event = { type: 'job.finished', data: { run: 1 }, idempotencyKey: 'job-finished-1' };
    const first = await webhooks.enqueue(event);
    const again = await webhooks.enqueue({ ...event, data: { run: 'changed' } });
    expect(again.map((m) => m.id)).toEqual(first.map((m) => m.id));

    await expect(
      store.transaction(async (tx) => {
        await webhooks.enqueue({ ...event, idempotencyKey: 'rolled-back' }, tx);
        throw new Error('archive write failed');
      }),
    ).rejects.toThrow('archive write failed');
    expect(await store.outbox.getByIdempotencyKey('rolled-back@crm')).toBeUndefined();

    await expect(webhooks.enqueue({ ...event, idempotencyKey: 'x', endpointIds: ['nope'] })).rejects.toMatchObject({
      code: AuditErrorCode.UnknownWebhookEndpoint,
    });
    expect((await webhooks.deliverDue()).delivered).toBe(1);
    expect(receiver.received).toHaveLength(1);
  });

  it('dead-letters after the last attempt, then replays with the same webhook-id', async () => {
    const audit = new MemoryAuditLog();
    const webhooks = dispatcher({ retry: { ...RETRY, maxAttempts: 2 }, audit });
    const [message] = await webhooks.enqueue({ type: 't', data: {}, idempotencyKey: 'dead-then-replayed' });
    receiver.replies.push({ status: 500 }, { status: 500 });

    await webhooks.deliverDue();
    clock.advance(RETRY.maxDelayMs);
    expect((await webhooks.deliverDue()).dead).toBe(1);
    expect(await webhooks.deadLetters()).toEqual([
      expect.objectContaining({ id: message.id, attempts: 2, lastError: 'webhook endpoint "crm" answered HTTP 500' }),
    ]);
    expect(audit.actions()).toEqual(['webhook.dead']);

    expect(await webhooks.replay(message.id)).toBe(true);
    expect((await webhooks.deliverDue()).delivered).toBe(1);
    expect(receiver.received.map((request) => request.headers['webhook-id'])).toEqual([message.id, message.id, message.id]);
    expect((await store.outbox.get(message.id))?.status).toBe('done');
  });

  it('attempts a delivery once per call even when its backoff comes out as zero', async () => {
    const webhooks = dispatcher({ random: () => 0 });
    const [message] = await webhooks.enqueue({ type: 't', data: {}, idempotencyKey: 'zero-backoff' });
    receiver.replies.push({ status: 500 }, { status: 500 });

    expect(await webhooks.deliverDue()).toEqual({ claimed: 1, delivered: 0, retried: 1, dead: 0 });
    expect(receiver.received).toHaveLength(1);
    // due again at once, and handed back unspent by the first call
    expect(await store.outbox.get(message.id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await webhooks.deliverDue()).retried).toBe(1);
    expect((await webhooks.deliverDue()).delivered).toBe(1);
  });

  it('waits at least as long as Retry-After says', async () => {
    const webhooks = dispatcher();
    await webhooks.enqueue({ type: 't', data: {}, idempotencyKey: 'retry-after' });
    receiver.replies.push({ status: 429, headers: { 'retry-after': '30' } });

    await webhooks.deliverDue();
    clock.advance(29_999);
    expect((await webhooks.deliverDue()).claimed).toBe(0);
    clock.advance(1);
    expect((await webhooks.deliverDue()).delivered).toBe(1);
  });

  it('keeps secrets out of delivery error messages', async () => {
    const querySecret = 'query-token-4f9a2c';
    const webhooks = dispatcher({
      endpoints: [{ id: 'crm', url: `${receiver.url()}?token=${querySecret}`, secret }],
    });
    await webhooks.enqueue({ type: 't', data: {}, idempotencyKey: 'leaky-endpoint' });
    // a careless endpoint echoing credentials in its error body
    receiver.replies.push({
      status: 401,
      body: `invalid signature; expected secret ${secret} for token=${querySecret}, Authorization: Bearer srv-bearer-9d8c7b6a`,
    });

    await webhooks.deliverDue();
    const [failed] = await store.outbox.list('webhook', 'pending');
    expect(failed.lastError).toContain('HTTP 401');
    for (const leaked of [secret, secret.slice('whsec_'.length), querySecret, 'srv-bearer-9d8c7b6a']) {
      expect(failed.lastError).not.toContain(leaked);
    }
    expect(receiver.received[0].path).toBe(`/hooks/gcm?token=${querySecret}`);
    clock.advance(RETRY.maxDelayMs);
    await webhooks.deliverDue();
  });

  it('treats refused connections, timeouts and redirects as failed attempts', async () => {
    const closed = new Receiver();
    await closed.start();
    const deadUrl = closed.url();
    await closed.stop();
    const webhooks = dispatcher({
      endpoints: [
        { id: 'down', url: deadUrl, secret },
        { id: 'slow', url: receiver.url('/slow'), secret, timeoutMs: 150 },
        { id: 'moved', url: receiver.url('/moved'), secret },
      ],
    });
    receiver.hang.add('/slow');
    receiver.fixed.set('/moved', { status: 302, headers: { location: 'http://example.invalid/' } });

    await webhooks.enqueue({ type: 't', data: {}, idempotencyKey: 'failures', endpointIds: ['down', 'slow', 'moved'] });
    expect(await webhooks.deliverDue()).toMatchObject({ claimed: 3, retried: 3 });
    const errors = (await store.outbox.list('webhook', 'pending')).map((m) => m.lastError).sort();
    expect(errors).toEqual([
      'webhook endpoint "down": request failed (ECONNREFUSED)',
      'webhook endpoint "moved" answered HTTP 302',
      'webhook endpoint "slow": no response within 150 ms',
    ]);
  });
});
