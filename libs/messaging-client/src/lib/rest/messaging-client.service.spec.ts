import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGenesysConnection, GenesysNotFoundError, type GenesysTransport } from '@gcm/genesys-auth';
import { FakeClock, ScriptedGenesysServer, type ScriptedRequest } from '@gcm/genesys-auth/testing';
import { InMemoryDeliveryMetrics } from '../metrics/delivery-metrics';
import type { MessageConversation } from '../models/conversation.model';
import type { MessageData } from '../models/message-data.model';
import { MessageValidationError, ViolationCode } from '../validation/message-validation.error';
import { MessagingClient, type MessagingTransport } from './messaging-client.service';

function message(id: string): MessageData {
  return { id, timestamp: '2026-01-01T00:00:00.000Z', status: 'sent', normalizedMessage: { id, type: 'Text', text: `text of ${id}` } };
}

/** Answers bulk POSTs with the requested ids, shuffled, leaving out the ids in `missing`. */
function bulkAnswer(missing: Set<string>) {
  return (req: ScriptedRequest) => {
    if (req.method === 'POST' && /\/messages\/bulk$/.test(req.path)) {
      const ids = JSON.parse(req.body) as string[];
      const entities = ids.filter((id) => !missing.has(id)).map(message).reverse();
      return { status: 200, body: { entities } };
    }
    return { status: 404, body: { message: 'no route', code: 'not.found', status: 404 } };
  };
}

describe('MessagingClient (REST, against a scripted Genesys over real HTTP)', () => {
  let server: ScriptedGenesysServer;
  let clock: FakeClock;
  let transport: GenesysTransport;
  let metrics: InMemoryDeliveryMetrics;
  let client: MessagingClient;

  beforeEach(async () => {
    server = await ScriptedGenesysServer.start();
    clock = new FakeClock();
    ({ transport } = createGenesysConnection({
      apiBaseUrl: server.baseUrl,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      transport: { clock, sleep: clock.sleep, random: () => 0.5 },
    }));
    metrics = new InMemoryDeliveryMetrics();
    client = new MessagingClient({ transport, metrics, clock });
  });

  afterEach(() => server.close());

  describe('getMessagesBulk', () => {
    it('fetches 2,500 ids in exactly 3 bulk requests of at most 1,000 and returns them in order', async () => {
      const ids = Array.from({ length: 2500 }, (_, i) => `m-${String(i).padStart(4, '0')}`);
      server.otherwise(bulkAnswer(new Set()));
      const result = await client.getMessagesBulk('conv-1', ids);
      const requests = server.apiRequests;
      expect(requests).toHaveLength(3);
      expect(requests.every((r) => r.method === 'POST' && r.path === '/api/v2/conversations/messages/conv-1/messages/bulk')).toBe(true);
      expect(requests.map((r) => (JSON.parse(r.body) as string[]).length).sort()).toEqual([1000, 1000, 500]);
      expect(result.messages.map((m) => m.id)).toEqual(ids);
      expect(result.missingIds).toEqual([]);
    });

    it('reports ids that did not come back and fetches duplicates once', async () => {
      server.otherwise(bulkAnswer(new Set(['b', 'd'])));
      const result = await client.getMessagesBulk('conv-1', ['a', 'b', 'c', 'a', 'd', 'e']);
      expect(result.messages.map((m) => m.id)).toEqual(['a', 'c', 'e']);
      expect(result.missingIds).toEqual(['b', 'd']);
      expect(JSON.parse(server.apiRequests[0].body)).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('marks the bulk POST retry-safe, so a 503 is retried', async () => {
      server.enqueue({ status: 503, headers: { 'retry-after': '1' }, body: { message: 'busy', code: 'service.unavailable', status: 503 } });
      server.otherwise(bulkAnswer(new Set()));
      const result = await client.getMessagesBulk('conv-1', ['a', 'b']);
      expect(result.messages).toHaveLength(2);
      expect(server.apiRequests).toHaveLength(2);
      expect(clock.sleeps).toContain(1000);
    });

    it('sends no request for no ids, and refuses chunks above 1,000', async () => {
      await expect(client.getMessagesBulk('conv-1', [])).resolves.toEqual({ messages: [], missingIds: [] });
      await expect(client.getMessagesBulk('conv-1', ['a'], { chunkSize: 1001 })).rejects.toThrow(RangeError);
      expect(server.apiRequests).toHaveLength(0);
    });
  });

  it('getConversationMessages reads the conversation, then bulk-fetches every participant message id by time', async () => {
    const conversation: MessageConversation = {
      id: 'conv-9',
      participants: [
        { id: 'p-customer', purpose: 'customer', messages: [{ messageId: 'm2', messageTime: '2026-01-01T00:00:02Z' }, { messageId: 'm4', messageTime: '2026-01-01T00:00:04Z' }] },
        { id: 'p-agent', purpose: 'agent', messages: [{ messageId: 'm1', messageTime: '2026-01-01T00:00:01Z' }, { messageId: 'm3', messageTime: '2026-01-01T00:00:03Z' }] },
      ],
    };
    server.otherwise((req) => (req.method === 'GET' ? { status: 200, body: conversation } : bulkAnswer(new Set())(req)));
    const result = await client.getConversationMessages('conv-9');
    expect(result.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(server.apiRequests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v2/conversations/messages/conv-9',
      'POST /api/v2/conversations/messages/conv-9/messages/bulk',
    ]);
  });

  it('encodes ids into paths and surfaces typed Genesys errors', async () => {
    server.enqueue({ status: 404, body: { message: 'Conversation not found', code: 'not.found', status: 404, contextId: 'ctx-1' } });
    await expect(client.getMessage('c/1', 'm 2')).rejects.toBeInstanceOf(GenesysNotFoundError);
    expect(server.apiRequests[0].path).toBe('/api/v2/conversations/messages/c%2F1/messages/m%202');
    expect(metrics.snapshot()['message.get']).toMatchObject({ sent: 0, failed: 1 });
  });

  describe('sending', () => {
    it('posts an AdditionalMessage for an agent and records the send', async () => {
      server.enqueue({ status: 200, body: message('sent-1') });
      const sent = await client.sendAgentMessage('conv-1', 'comm-1', { textBody: 'Hello' });
      expect(sent.id).toBe('sent-1');
      const [request] = server.apiRequests;
      expect(`${request.method} ${request.path}`).toBe('POST /api/v2/conversations/messages/conv-1/communications/comm-1/messages');
      expect(JSON.parse(request.body)).toEqual({ textBody: 'Hello' });
      expect(metrics.snapshot()['agent.send']).toMatchObject({ sent: 1, failed: 0, rejected: 0 });
    });

    it('does not retry an agent send after a 502 (it may have been delivered)', async () => {
      server.enqueue({ status: 502, body: '<html>bad gateway</html>' });
      await expect(client.sendAgentMessage('conv-1', 'comm-1', { textBody: 'Hello' })).rejects.toMatchObject({ status: 502 });
      expect(server.apiRequests).toHaveLength(1);
    });

    it('refuses invalid messages before any network call: zero requests, zero token requests', async () => {
      const attempts = [
        client.sendAgentMessage('conv-1', 'comm-1', { textBody: 'x'.repeat(2001) }),
        client.sendAgentMessage('conv-1', 'comm-1', { textBody: 'x'.repeat(766) }, { messengerType: 'sms' }),
        client.sendAgentMessage('conv-1', 'comm-1', { textBody: 'hi', mediaIds: ['m'] } as never),
        client.sendAgentlessMessage({ fromAddress: '+1', toAddress: '+2', toAddressMessengerType: 'whatsapp', textBody: 'hi' }),
        client.uploadAgentMedia('conv-1', 'comm-1', { fileName: 'setup.exe', mimeType: 'application/octet-stream', bytes: new Uint8Array(3) }, { rules: { blockedExtensions: ['exe'] } }),
        client.sendOpenInboundMessage('int-1', { channel: { from: { id: 'c', idType: 'Opaque' }, time: 'yesterday' }, text: 'hi' }),
      ];
      const errors = await Promise.all(attempts.map((p) => p.then(() => undefined, (e: unknown) => e)));
      for (const error of errors) expect(error).toBeInstanceOf(MessageValidationError);
      expect((errors[0] as MessageValidationError).violations[0]).toMatchObject({ field: 'textBody', limit: 2000, actual: 2001 });
      expect((errors[4] as MessageValidationError).violations[0]).toMatchObject({ code: ViolationCode.BlockedExtension });
      expect(server.requests).toHaveLength(0);
      expect(transport.requestCount).toBe(0);
      const snapshot = metrics.snapshot();
      expect(snapshot['agent.send']).toMatchObject({ rejected: 3, sent: 0, failed: 0 });
      expect(snapshot['agentless.send']?.rejected).toBe(1);
    });

    it('sends an agentless message and an open inbound message with prefetchConversationId', async () => {
      server.enqueue({ status: 200, body: { id: 'al-1', conversationId: 'conv-al', message: message('al-1') } });
      server.enqueue({ status: 200, body: { id: 'open-1', type: 'Text', text: 'hi', conversationId: 'conv-open' } });
      const agentless = await client.sendAgentlessMessage({ fromAddress: '+1555', toAddress: '+1666', toAddressMessengerType: 'sms', textBody: 'Your order shipped' });
      const inbound = await client.sendOpenInboundMessage(
        'int-1',
        { channel: { from: { id: 'cust-1', idType: 'Opaque', nickname: 'Ada' }, time: '2026-01-01T10:00:00.000Z', messageId: 'partner-1' }, text: 'hi' },
        { prefetchConversationId: true },
      );
      expect(agentless.conversationId).toBe('conv-al');
      expect(inbound.conversationId).toBe('conv-open');
      const [first, second] = server.apiRequests;
      expect(first.path).toBe('/api/v2/conversations/messages/agentless');
      expect(second.path).toBe('/api/v2/conversations/messages/int-1/inbound/open/message?prefetchConversationId=true');
      expect(JSON.parse(second.body).channel.messageId).toBe('partner-1');
    });

    it('posts an open receipt', async () => {
      server.enqueue({ status: 200, body: { id: 'out-1', type: 'Receipt', status: 'Delivered' } });
      const receipt = await client.sendOpenReceipt('int-1', { id: 'out-1', status: 'Delivered', isFinalReceipt: true, channel: { time: '2026-01-01T00:00:00Z' } });
      expect(receipt.status).toBe('Delivered');
      expect(server.apiRequests[0].path).toBe('/api/v2/conversations/messages/int-1/inbound/open/receipt');
    });
  });

  describe('media upload', () => {
    let storage: Server;
    let storageUrl: string;
    const puts: Array<{ path: string; headers: IncomingHttpHeaders; body: Buffer }> = [];

    beforeEach(async () => {
      puts.length = 0;
      storage = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        puts.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(req.url?.includes('expired') ? 403 : 200).end();
      });
      storage.listen(0, '127.0.0.1');
      await once(storage, 'listening');
      storageUrl = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
    });

    afterEach(() => new Promise((resolve) => storage.close(resolve)));

    it('reserves an upload, PUTs the bytes without the Genesys token, then sends the media id', async () => {
      server.enqueue({ status: 200, body: { id: 'media-1', uploadUrl: `${storageUrl}/bucket/media-1?X-Amz-Signature=s3cr3t`, uploadHeaders: { 'Content-Type': 'image/png', 'x-amz-acl': 'private' } } });
      server.enqueue({ status: 200, body: message('sent-media') });
      const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
      const sent = await client.sendAgentAttachment('conv-1', 'comm-1', { fileName: 'photo.png', mimeType: 'image/png', bytes });
      expect(sent.id).toBe('sent-media');
      const [reserve, send] = server.apiRequests;
      expect(reserve.path).toBe('/api/v2/conversations/messages/conv-1/communications/comm-1/messages/media/uploads');
      expect(JSON.parse(reserve.body)).toEqual({ fileName: 'photo.png', contentLengthBytes: 7 });
      expect(JSON.parse(send.body)).toEqual({ mediaIds: ['media-1'] });
      expect(puts).toHaveLength(1);
      expect(puts[0].path).toBe('/bucket/media-1?X-Amz-Signature=s3cr3t');
      expect(puts[0].headers.authorization).toBeUndefined();
      expect(puts[0].headers['x-amz-acl']).toBe('private');
      expect([...puts[0].body]).toEqual([...bytes]);
    });

    it('turns a refused PUT into a MediaUploadError that hides the signed query', async () => {
      server.enqueue({ status: 200, body: { id: 'media-2', uploadUrl: `${storageUrl}/expired/media-2?X-Amz-Signature=s3cr3t` } });
      const error = await client.uploadAgentMedia('conv-1', 'comm-1', { fileName: 'a.pdf', mimeType: 'application/pdf', bytes: new Uint8Array(1) }).catch((e: Error) => e);
      expect(error).toMatchObject({ name: 'MediaUploadError', status: 403 });
      expect((error as Error).message).not.toContain('s3cr3t');
      expect(metrics.snapshot()['agent.mediaUpload']).toMatchObject({ failed: 1 });
    });
  });

  it('updateParticipant PATCHes, then returns the re-read conversation (last writer wins)', async () => {
    server.enqueue({ status: 202, body: '' });
    server.enqueue({ status: 200, body: { id: 'conv-1', participants: [{ id: 'p-1', state: 'disconnected', wrapup: { code: 'someone-else' } }] } });
    const after = await client.wrapUpParticipant('conv-1', 'p-1', { code: 'mine' });
    const [patch, get] = server.apiRequests;
    expect(`${patch.method} ${patch.path}`).toBe('PATCH /api/v2/conversations/messages/conv-1/participants/p-1');
    expect(JSON.parse(patch.body)).toEqual({ wrapup: { code: 'mine' } });
    expect(patch.headers['if-match']).toBeUndefined();
    expect(`${get.method} ${get.path}`).toBe('GET /api/v2/conversations/messages/conv-1');
    expect(after.participants[0].wrapup?.code).toBe('someone-else');
  });
});

describe('MessagingClient bulk concurrency', () => {
  it('never has more than `concurrency` bulk requests in flight and still keeps the input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const transport: MessagingTransport = {
      get: jest.fn(),
      patch: jest.fn(),
      post: (async (_path: string, body: unknown) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return { status: 200, data: { entities: (body as string[]).map(message).reverse() }, headers: {}, attempts: 1 };
      }) as MessagingTransport['post'],
    };
    const client = new MessagingClient({ transport, bulk: { chunkSize: 10, concurrency: 3 } });
    const ids = Array.from({ length: 95 }, (_, i) => `id-${i}`);
    const result = await client.getMessagesBulk('c', ids);
    expect(peak).toBe(3);
    expect(result.messages.map((m) => m.id)).toEqual(ids);
  });

  it('stops launching chunks after a failure and rejects with it', async () => {
    let calls = 0;
    const transport: MessagingTransport = {
      get: jest.fn(),
      patch: jest.fn(),
      post: (async () => {
        calls++;
        if (calls === 2) throw new Error('boom');
        await new Promise((resolve) => setImmediate(resolve));
        return { status: 200, data: { entities: [] }, headers: {}, attempts: 1 };
      }) as MessagingTransport['post'],
    };
    const client = new MessagingClient({ transport, bulk: { chunkSize: 1, concurrency: 2 } });
    await expect(client.getMessagesBulk('c', ['a', 'b', 'c', 'd', 'e', 'f'])).rejects.toThrow('boom');
    expect(calls).toBeLessThan(6);
  });
});
