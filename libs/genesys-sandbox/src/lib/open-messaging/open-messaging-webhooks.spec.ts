import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ManualClock, RunningSandbox, SandboxOptionsError, startSandbox } from '../../index';
import { SandboxApiClient, startTestSandbox } from '../../test/sandbox-api-client';

const SECRET = 'open-messaging-webhook-secret-1';

interface Received {
  headers: IncomingMessage['headers'];
  raw: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A real webhook receiver that answers with scripted statuses ('hang' never answers). */
class WebhookReceiver {
  readonly received: Received[] = [];
  script: Array<number | 'hang'> = [];
  url = '';
  private readonly server: Server;
  private readonly hanging: IncomingMessage[] = [];

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        this.received.push({ headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) });
        const next = this.script.shift() ?? 200;
        if (next === 'hang') {
          this.hanging.push(req);
          return;
        }
        res.writeHead(next, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
  }

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/genesys/outbound`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

describe('outbound Open Messaging webhooks', () => {
  let sandbox: RunningSandbox;
  let clock: ManualClock;
  let api: SandboxApiClient;
  let receiver: WebhookReceiver;
  let integrationId: string;
  let customerSeq = 0;

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    ({ sandbox, clock, api } = await startTestSandbox({
      integrations: [{ id: 'partner-chat', name: 'Partner Chat', outboundNotificationWebhookUrl: receiver.url, secret: SECRET }],
      webhooks: { retryDelayMs: 5000, maxRetries: 5, timeoutMs: 150 },
    }));
    integrationId = 'partner-chat';
    await api.login();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.script = [];
    sandbox.stats.reset();
  });
  afterAll(async () => {
    api.close();
    await sandbox.close();
    await receiver.stop();
  });

  /** An open conversation started by a customer, with an agent connected to answer. */
  async function openConversationWithAgent(): Promise<{ conversationId: string; communicationId: string; customerId: string }> {
    const customerId = `customer-${++customerSeq}@partner.example`;
    const inbound = await api.post(`/api/v2/conversations/messages/${integrationId}/inbound/open/message?prefetchConversationId=true`, {
      channel: { from: { id: customerId, idType: 'Opaque', nickname: 'Kim' }, time: new Date(clock.now()).toISOString(), messageId: `ext-${customerSeq}` },
      text: 'Hello from the partner app',
    });
    expect(inbound.status).toBe(200);
    const conversationId = inbound.body.conversationId;
    const agent = sandbox.world.assignAgent(conversationId, sandbox.truth.catalog.agents[3]);
    return { conversationId, communicationId: agent.communicationId, customerId };
  }

  async function agentSends(text: string): Promise<{ conversationId: string; messageId: string; customerId: string }> {
    const { conversationId, communicationId, customerId } = await openConversationWithAgent();
    const sent = await api.post(`/api/v2/conversations/messages/${conversationId}/communications/${communicationId}/messages`, { textBody: text });
    expect(sent.status).toBe(200);
    return { conversationId, messageId: sent.body.id, customerId };
  }

  it('lists Open Messaging integrations without their secrets', async () => {
    const list = await api.get('/api/v2/conversations/messaging/integrations/open');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ pageNumber: 1, total: 3, pageCount: 1 });
    const configured = list.body.entities.find((i: { id: string }) => i.id === integrationId);
    expect(configured).toMatchObject({ id: integrationId, name: 'Partner Chat', outboundNotificationWebhookUrl: receiver.url, status: 'Active' });
    const one = await api.get(`/api/v2/conversations/messaging/integrations/open/${integrationId}`);
    expect(one.body).toEqual(configured);
    expect((await api.get('/api/v2/conversations/messaging/integrations/open/nope')).status).toBe(404);
    expect(list.text).not.toContain(SECRET);
    const admin = await api.get('/__sandbox/integrations', { auth: false });
    expect(admin.body.entities).toContainEqual({ id: integrationId, name: 'Partner Chat', outboundNotificationWebhookUrl: receiver.url, hasSecret: true });
    expect(admin.text).not.toContain(SECRET);
  });

  it('POSTs an agent message to the webhook, signed with sha256= base64 HMAC of the body', async () => {
    const { conversationId, messageId, customerId } = await agentSends('Your refund is on its way.');
    await sandbox.openMessaging.whenIdle();
    expect(receiver.received).toHaveLength(1);
    const [hit] = receiver.received;
    expect(hit.headers['content-type']).toBe('application/json');
    expect(hit.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', SECRET).update(hit.raw).digest('base64')}`);
    expect(hit.body).toEqual({
      id: messageId,
      channel: {
        id: integrationId,
        platform: 'Open',
        type: 'Private',
        to: { id: customerId, idType: 'Opaque' },
        from: expect.objectContaining({ nickname: sandbox.truth.catalog.agents[3].name, id: integrationId, idType: 'Opaque' }),
        time: new Date(clock.now()).toISOString(),
        messageId: expect.any(String),
      },
      type: 'Text',
      text: 'Your refund is on its way.',
      originatingEntity: 'Human',
      direction: 'Outbound',
      conversationId,
    });
    expect(sandbox.openMessaging.deliveries().at(-1)).toMatchObject({ integrationId, conversationId, messageId, state: 'delivered', attempts: [{ status: 200 }] });
    expect(sandbox.stats.snapshot().webhooks).toEqual({ attempts: 1, delivered: 1, retried: 0, failed: 0 });
  });

  it('also POSTs agentless open messages, and nothing for inbound messages or integrations without a webhook', async () => {
    const sent = await api.post('/api/v2/conversations/messages/agentless', {
      fromAddress: integrationId,
      toAddress: 'someone@partner.example',
      toAddressMessengerType: 'open',
      textBody: 'Your table is ready.',
    });
    expect(sent.status).toBe(200);
    const other = sandbox.truth.catalog.openIntegrations.find((i) => i.id !== integrationId)!;
    await api.post('/api/v2/conversations/messages/agentless', { fromAddress: other.id, toAddress: 'x@y', toAddressMessengerType: 'open', textBody: 'no webhook here' });
    await sandbox.openMessaging.whenIdle();
    expect(receiver.received.map((r) => r.body)).toEqual([expect.objectContaining({ id: sent.body.id, text: 'Your table is ready.', originatingEntity: 'Bot', direction: 'Outbound' })]);
  });

  it('retries 5xx and 429 every retryDelayMs on the sandbox clock until a 2xx', async () => {
    receiver.script = [503, 429, 200];
    const { messageId } = await agentSends('retry me');
    await sandbox.openMessaging.whenIdle();
    expect(receiver.received).toHaveLength(1);
    clock.advance(4999);
    await sandbox.openMessaging.whenIdle();
    expect(receiver.received).toHaveLength(1);
    clock.advance(1);
    await sandbox.openMessaging.whenIdle();
    expect(receiver.received).toHaveLength(2);
    clock.advance(5000);
    await sandbox.openMessaging.whenIdle();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.raw.toString()))).toEqual(new Set([receiver.received[0].raw.toString()]));
    const delivery = sandbox.openMessaging.deliveries().find((d) => d.messageId === messageId)!;
    expect(delivery.state).toBe('delivered');
    expect(delivery.attempts.map((a) => a.status)).toEqual([503, 429, 200]);
    expect(delivery.attempts.map((a) => Date.parse(a.at) - Date.parse(delivery.attempts[0].at))).toEqual([0, 5000, 10000]);
    expect(sandbox.stats.snapshot().webhooks).toEqual({ attempts: 3, delivered: 1, retried: 2, failed: 0 });
  });

  it('gives up after 5 retries, and at once on a 4xx other than 429', async () => {
    receiver.script = [500, 500, 500, 500, 500, 500];
    const { messageId } = await agentSends('never arrives');
    for (let i = 0; i < 7; i++) {
      await sandbox.openMessaging.whenIdle();
      clock.advance(5000);
    }
    await sandbox.openMessaging.whenIdle();
    const failed = sandbox.openMessaging.deliveries().find((d) => d.messageId === messageId)!;
    expect(failed.state).toBe('failed');
    expect(failed.attempts).toHaveLength(6);

    receiver.script = [400];
    const rejected = await agentSends('bad request');
    await sandbox.openMessaging.whenIdle();
    clock.advance(5000);
    await sandbox.openMessaging.whenIdle();
    const refused = sandbox.openMessaging.deliveries().find((d) => d.messageId === rejected.messageId)!;
    expect(refused).toMatchObject({ state: 'failed', attempts: [{ status: 400 }] });
    expect(sandbox.stats.snapshot().webhooks).toEqual({ attempts: 7, delivered: 0, retried: 5, failed: 2 });
  });

  it('treats a timeout as retryable', async () => {
    receiver.script = ['hang', 200];
    const { messageId } = await agentSends('slow receiver');
    await sandbox.openMessaging.whenIdle(); // the 150 ms POST timeout (real time: the receiver is real)
    expect(sandbox.openMessaging.deliveries().find((d) => d.messageId === messageId)!.attempts).toEqual([{ at: expect.any(String), error: 'timeout' }]);
    clock.advance(5000);
    await sandbox.openMessaging.whenIdle();
    expect(sandbox.openMessaging.deliveries().find((d) => d.messageId === messageId)!.state).toBe('delivered');
  });

  it('configures webhooks at runtime through /__sandbox/integrations; a new integration takes inbound messages too', async () => {
    const bad = await api.post('/__sandbox/integrations', { id: 'shop-bot', outboundNotificationWebhookUrl: 'ftp://nope', secret: 'hush-hush' }, { auth: false });
    expect(bad.status).toBe(400);
    expect(bad.text).not.toContain('hush-hush');
    const added = await api.post('/__sandbox/integrations', { id: 'shop-bot', name: 'Shop bot', outboundNotificationWebhookUrl: receiver.url, secret: 'hush-hush' }, { auth: false });
    expect(added.body).toEqual({ id: 'shop-bot', name: 'Shop bot', outboundNotificationWebhookUrl: receiver.url, hasSecret: true });
    const inbound = await api.post('/api/v2/conversations/messages/shop-bot/inbound/open/message?prefetchConversationId=true', {
      channel: { from: { id: 'buyer-1', idType: 'Opaque' }, time: new Date(clock.now()).toISOString() },
      text: 'is it in stock?',
    });
    expect(inbound.status).toBe(200);
    const agentless = await api.post('/api/v2/conversations/messages/agentless', { fromAddress: 'shop-bot', toAddress: 'buyer-1', toAddressMessengerType: 'open', textBody: 'Yes!' });
    expect(agentless.status).toBe(200);
    await sandbox.openMessaging.whenIdle();
    const hit = receiver.received.at(-1)!;
    expect(hit.body.text).toBe('Yes!');
    expect(hit.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 'hush-hush').update(hit.raw).digest('base64')}`);
    const deliveries = await api.get('/__sandbox/webhooks', { auth: false });
    expect(deliveries.body.entities.at(-1)).toMatchObject({ integrationId: 'shop-bot', state: 'delivered' });
    expect(deliveries.text).not.toContain('hush-hush');
  });

  it('validates integrations at start-up without repeating the secret', async () => {
    const attempt = startSandbox({ integrations: [{ id: 'x', outboundNotificationWebhookUrl: 'not a url', secret: 'super-secret-value' }] });
    await expect(attempt).rejects.toThrow(SandboxOptionsError);
    await expect(attempt).rejects.toThrow(/integrations\[0\]\.outboundNotificationWebhookUrl must be an http/);
    await expect(attempt).rejects.not.toThrow(/super-secret-value/);
    await expect(startSandbox({ integrations: [{ id: 'x', outboundNotificationWebhookUrl: 'http://127.0.0.1:1/', secret: '' }] })).rejects.toThrow(/secret must be a non-empty string/);
  });
});
