import { RunningSandbox } from '../../index';
import { ERROR_BODY_KEYS, SandboxApiClient, startTestSandbox } from '../../test/sandbox-api-client';

const MESSAGE_DATA_KEYS = [
  'id',
  'providerMessageId',
  'timestamp',
  'fromAddress',
  'toAddress',
  'direction',
  'messengerType',
  'status',
  'normalizedMessage',
  'normalizedReceipts',
  'conversationId',
  'selfUri',
];
const MESSAGE_STATUSES = ['queued', 'sent', 'failed', 'received', 'delivery-success', 'delivery-failed', 'read', 'removed', 'published'];

describe('message conversations', () => {
  let sandbox: RunningSandbox;
  let api: SandboxApiClient;
  let conversationId: string;

  beforeAll(async () => {
    ({ sandbox, api } = await startTestSandbox({ messagesPerConversation: { min: 5, max: 40 } }));
    await api.login();
    conversationId = sandbox.truth.conversationIds()[3];
  });
  afterAll(() => sandbox.close());

  it('GET /api/v2/conversations/messages/{id} lists participants with their message ids', async () => {
    const res = await api.get(`/api/v2/conversations/messages/${conversationId}`);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.id).toBe(conversationId);
    expect(body.selfUri).toBe(`/api/v2/conversations/messages/${conversationId}`);
    const purposes = body.participants.map((p: { purpose: string }) => p.purpose);
    expect(purposes.slice(0, 2)).toEqual(['customer', 'acd']);
    for (const p of body.participants) {
      expect(['alerting', 'connected', 'disconnected', 'terminated']).toContain(p.state);
      expect(['inbound', 'outbound']).toContain(p.direction);
      expect(['webmessaging', 'open', 'sms']).toContain(p.type);
      for (const m of p.messages) {
        expect(Object.keys(m)).toEqual(expect.arrayContaining(['messageId', 'messageURI', 'messageStatus', 'messageTime', 'media']));
        expect(MESSAGE_STATUSES).toContain(m.messageStatus);
      }
    }
    const listed = body.participants.flatMap((p: { messages: Array<{ messageId: string }> }) => p.messages.map((m) => m.messageId));
    const truth = sandbox.truth.conversation(conversationId)!;
    expect(listed).toEqual(truth.participants.flatMap((p) => p.messageIds));
  });

  it('GET /api/v2/conversations/{id} is the generic Conversation with message communications', async () => {
    const res = await api.get(`/api/v2/conversations/${conversationId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: conversationId, recordingState: 'none', selfUri: `/api/v2/conversations/${conversationId}` });
    expect(['connected', 'disconnected']).toContain(res.body.state);
    expect(res.body.divisions[0].division.id).toBe(sandbox.truth.summary(conversationId)!.divisionId);
    const communication = res.body.participants[0].messages[0];
    expect(communication.id).toBe(sandbox.truth.conversation(conversationId)!.participants[0].communicationId);
  });

  it('bulk-fetches MessageData with normalizedMessage in request order', async () => {
    const truth = sandbox.truth.conversation(conversationId)!;
    const ids = truth.participants.flatMap((p) => p.messageIds).reverse();
    const res = await api.post(`/api/v2/conversations/messages/${conversationId}/messages/bulk`, ids);
    expect(res.status).toBe(200);
    expect(res.body.entities.map((m: { id: string }) => m.id)).toEqual([...new Set(ids)]);
    for (const m of res.body.entities) {
      expect(Object.keys(m)).toEqual(expect.arrayContaining(MESSAGE_DATA_KEYS));
      expect(m).not.toHaveProperty('textBody');
      expect(m).not.toHaveProperty('media');
      expect(['inbound', 'outbound']).toContain(m.direction);
      expect(MESSAGE_STATUSES).toContain(m.status);
      expect(m.normalizedMessage.direction).toBe(m.direction === 'inbound' ? 'Inbound' : 'Outbound');
      expect(m.normalizedMessage.type).toBe('Text');
      expect(m.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });

  it('rejects a bulk request of more than 1,000 ids with 400 and the ErrorBody', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `id-${i}`);
    const res = await api.post(`/api/v2/conversations/messages/${conversationId}/messages/bulk`, ids);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual(expect.arrayContaining(ERROR_BODY_KEYS));
    expect(res.body).toMatchObject({ code: 'bad.request', status: 400, messageParams: { count: '1001', max: '1000' } });
    const exactly = await api.post(`/api/v2/conversations/messages/${conversationId}/messages/bulk`, ids.slice(0, 1000));
    expect(exactly.status).toBe(200);
    expect(exactly.body.entities).toEqual([]);
  });

  it('serves one message by conversation and id, and by id alone (details)', async () => {
    const messageId = sandbox.truth.conversation(conversationId)!.participants[0].messageIds[0];
    const one = await api.get(`/api/v2/conversations/messages/${conversationId}/messages/${messageId}`);
    expect(one.status).toBe(200);
    const details = await api.get(`/api/v2/conversations/messages/${messageId}/details`);
    expect(details.status).toBe(200);
    expect(details.text).toBe(one.text);
    expect(details.body.conversationId).toBe(conversationId);
  });

  it('answers unknown ids with 404 not.found', async () => {
    for (const path of [
      '/api/v2/conversations/messages/00000000-0000-4000-8000-000000000000',
      '/api/v2/conversations/00000000-0000-4000-8000-000000000000',
      `/api/v2/conversations/messages/${conversationId}/messages/ffffffffffffffffffffffffffffffff`,
      '/api/v2/conversations/messages/ffffffffffffffffffffffffffffffff/details',
    ]) {
      const res = await api.get(path);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'not.found', status: 404, message: 'The requested resource was not found.' });
      expect(res.headers.get('inin-correlation-id')).toBe(res.body.contextId);
    }
  });

  it('serves attachments whose bytes match the advertised size and sha256', async () => {
    const withAttachment = sandbox.truth
      .conversationIds()
      .flatMap((id) => sandbox.truth.messages(id)!)
      .find((m) => (m.normalizedMessage as { content?: unknown[] }).content);
    expect(withAttachment).toBeDefined();
    const attachment = (withAttachment!.normalizedMessage as { content: Array<{ attachment: Record<string, string | number> }> }).content[0]
      .attachment;
    expect(['Image', 'Video', 'Audio', 'File', 'Link']).toContain(attachment.mediaType);
    const download = await fetch(String(attachment.url));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe(attachment.mime);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.length).toBe(attachment.contentSizeBytes);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(attachment.sha256);
  });
});
