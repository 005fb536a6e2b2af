import type { TruthConversation } from '@gcm/genesys-sandbox';
import { SANDBOX_NOW, startApiHarness, sandboxConversationIds, type ApiHarness } from './api-harness';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('tiny image')]);

describe('guest sessions and conversations (e2e, sandbox + SQLite)', () => {
  let api: ApiHarness;
  let truths: TruthConversation[];

  beforeAll(async () => {
    api = await startApiHarness({
      sandbox: { webMessaging: { messagesPerSecond: 1_000 } },
      // the 2 msg/s guest pacing is the lib's (and specced there); here it would only make the suite slow
      runtime: { guest: { rateLimit: { maxPerWindow: 1_000, windowMs: 1_000 } } },
    });
    truths = sandboxConversationIds(api.sandbox).map((id) => api.sandbox.truth.conversation(id) as TruthConversation);
  });
  afterAll(async () => {
    await api?.close();
  });

  const openSession = async (body: Record<string, unknown> = {}) => {
    const response = await api.request('POST', '/v1/guest-sessions', { key: api.keys.writer, body: { deploymentId: api.sandbox.deploymentId, ...body } });
    expect(response.status).toBe(201);
    return response.json as { token: string; limits: Record<string, unknown>; expiresAt: string; newSession: boolean };
  };

  describe('POST /v1/guest-sessions', () => {
    it('opens a web messaging session and returns its token, limits and expiry', async () => {
      const sessionsBefore = api.sandbox.webMessaging.sessions().length;
      const session = await openSession({ customAttributes: { orderId: 'A-1042' } });
      expect(session.token).toMatch(/^[0-9a-f-]{36}$/);
      expect(session.newSession).toBe(true);
      // the sandbox's sessions last 72 h from when they open (its clock started at SANDBOX_NOW)
      const lifetime = Date.parse(session.expiresAt) - Date.parse(SANDBOX_NOW);
      expect(lifetime).toBeGreaterThanOrEqual(72 * 3_600_000);
      expect(lifetime).toBeLessThan(72 * 3_600_000 + 120_000);
      expect(session.limits).toEqual({
        maxTextLength: 2000,
        allowedMimeTypes: ['image/png', 'image/jpeg', 'image/gif', 'application/pdf', 'video/mp4', 'audio/mpeg'],
        maxAttachmentBytes: 10_485_760,
        blockedExtensions: expect.arrayContaining(['.exe']),
        maxCustomDataBytes: 2048,
        readOnly: false,
        messagesPerSecond: 2,
      });
      expect(api.sandbox.webMessaging.sessions().length).toBe(sessionsBefore + 1);
      expect(api.sandbox.webMessaging.sessionIdForToken(session.token)).toBeDefined();
    });

    it('names deploymentId when web messaging refuses the deployment (422), and customAttributes when too large (400)', async () => {
      const refused = await api.request('POST', '/v1/guest-sessions', { key: api.keys.writer, body: { deploymentId: '00000000-0000-4000-8000-00000000dead' } });
      expect(refused.status).toBe(422);
      expect(refused.json).toMatchObject({ type: 'urn:gcm:problem:deployment-refused', fields: ['deploymentId'] });
      const large = await api.request('POST', '/v1/guest-sessions', {
        key: api.keys.writer,
        body: { deploymentId: api.sandbox.deploymentId, customAttributes: { note: 'n'.repeat(2_100) } },
      });
      expect(large.status).toBe(400);
      expect(large.json.errors).toEqual([expect.objectContaining({ field: 'customAttributes', code: 'CUSTOM_ATTRIBUTES_TOO_LARGE' })]);
    });
  });

  describe('POST /v1/guest-sessions/{token}/messages', () => {
    it('sends text with the session\'s custom attributes and returns the message id and latency', async () => {
      const { token } = await openSession({ customAttributes: { orderId: 'A-7' } });
      const response = await api.request('POST', `/v1/guest-sessions/${token}/messages`, { key: api.keys.writer, body: { text: 'Hello 👋🏽, where is my order?' } });
      expect(response.status).toBe(201);
      expect(response.json).toEqual({ messageId: expect.stringMatching(/^[0-9a-f]{32}$/), latencyMs: expect.any(Number) });
      const conversationId = api.sandbox.truth.guestSessions().find((s) => s.id === api.sandbox.webMessaging.sessionIdForToken(token))?.conversationIds[0];
      const stored = api.sandbox.truth.messages(conversationId as string) ?? [];
      expect(stored.map((m) => m['id'])).toContain(response.json.messageId);
      // the session's custom attributes travelled with the message onto the customer participant
      const timeline = await api.request('GET', `/v1/conversations/${conversationId}/timeline`, { key: api.keys.reader });
      const customer = timeline.json.participants.find((p: { purpose: string }) => p.purpose === 'customer');
      expect(customer.attributes).toMatchObject({ 'context.orderId': 'A-7' });
    });

    it('uploads and sends an attachment', async () => {
      const { token } = await openSession();
      const response = await api.request('POST', `/v1/guest-sessions/${token}/messages`, {
        key: api.keys.writer,
        body: { text: 'receipt', attachment: { fileName: 'receipt.png', mimeType: 'image/png', contentBase64: PNG.toString('base64') } },
      });
      expect(response.status).toBe(201);
      expect(response.json.attachmentId).toMatch(/^[0-9a-f-]{36}$/);
      const history = await api.request('GET', `/v1/guest-sessions/${token}/messages`, { key: api.keys.writer });
      expect(history.json.items[0]).toMatchObject({ id: response.json.messageId, text: 'receipt', direction: 'Inbound' });
      expect(history.json.items[0].content[0].attachment).toMatchObject({ filename: 'receipt.png', mime: 'image/png', fileSize: PNG.length });
    });

    it('refuses invalid messages before anything is sent, naming each field', async () => {
      const { token } = await openSession();
      const sent = () => api.sandbox.stats.snapshot().sockets.guest.framesIn;
      const before = sent();
      const cases: Array<[Record<string, unknown>, string[], string?]> = [
        [{ text: 'x'.repeat(2_001) }, ['text'], 'TEXT_TOO_LONG'],
        [{ text: '😀'.repeat(2_000) }, [], undefined],
        [{}, ['text'], 'EMPTY_BODY'],
        [{ text: 'hi', customAttributes: { big: 'y'.repeat(2_100) } }, ['customAttributes'], 'CUSTOM_ATTRIBUTES_TOO_LARGE'],
        [{ attachment: { fileName: 'run.exe', mimeType: 'application/x-msdownload', contentBase64: 'QUJD' } }, ['attachment.fileName', 'attachment.mimeType']],
        [{ attachment: { fileName: 'a.png', mimeType: 'image/png', contentBase64: 'not base64!' } }, ['attachment.contentBase64']],
        [{ text: 42, colour: 'red' }, ['colour', 'text']],
        [{ text: 'hi <script>alert(1)</script>' }, ['text'], 'BLOCKED_CONTENT'],
      ];
      for (const [body, fields, code] of cases) {
        const response = await api.request('POST', `/v1/guest-sessions/${token}/messages`, { key: api.keys.writer, body });
        if (fields.length === 0) {
          // 2,000 emoji are 2,000 code points: within the limit although 4,000 UTF-16 units
          expect(response.status).toBe(201);
          continue;
        }
        expect({ body: Object.keys(body), status: response.status }).toEqual({ body: Object.keys(body), status: 400 });
        expect([...response.json.fields].sort()).toEqual(fields);
        if (code) expect(response.json.errors.map((e: { code: string }) => e.code)).toContain(code);
      }
      // only the one valid message reached web messaging
      expect(sent() - before).toBe(1);
    });

    it('keeps sessions to the key that opened them (admin excepted) and forgets closed ones', async () => {
      const { token } = await openSession();
      expect((await api.request('GET', `/v1/guest-sessions/${token}/messages`, { key: api.keys.reader })).status).toBe(404);
      expect((await api.request('GET', `/v1/guest-sessions/${token}/messages`, { key: api.keys.admin })).status).toBe(200);
      expect((await api.request('DELETE', `/v1/guest-sessions/${token}`, { key: api.keys.writer })).status).toBe(204);
      const after = await api.request('POST', `/v1/guest-sessions/${token}/messages`, { key: api.keys.writer, body: { text: 'still there?' } });
      expect(after.status).toBe(404);
      expect(after.json.type).toBe('urn:gcm:problem:guest-session-not-found');
    });

    it('says 410 when Genesys expired the session', async () => {
      const { token } = await openSession();
      const sessionId = api.sandbox.webMessaging.sessionIdForToken(token) as string;
      api.sandbox.webMessaging.expire(sessionId);
      await waitFor(async () => (await api.request('POST', `/v1/guest-sessions/${token}/messages`, { key: api.keys.writer, body: { text: 'hello?' } })).status === 410);
    });

    it('records sends in the audit trail by a session fingerprint, never the token', async () => {
      const { token } = await openSession();
      await api.request('POST', `/v1/guest-sessions/${token}/messages`, { key: api.keys.writer, body: { text: 'audited' } });
      const audit = await api.request('GET', '/v1/audit?action=guest-session.message.send&outcome=success', { key: api.keys.admin });
      const last = audit.json.items.at(-1);
      expect(last).toMatchObject({ actor: 'key:writer', target: expect.stringMatching(/^guest-session:[0-9a-f]{16}$/), details: { status: 201, route: '/v1/guest-sessions/:token/messages' } });
      const everything = await api.request('GET', '/v1/audit?limit=500', { key: api.keys.admin });
      expect(everything.text).not.toContain(token);
      expect(JSON.stringify(api.logs)).not.toContain(token);
    });
  });

  describe('conversations', () => {
    const connected = () => truths.find((t) => t.participants.some((p) => p.purpose === 'agent' && p.state === 'connected')) as TruthConversation;
    const ended = () => truths.find((t) => t.endTime !== undefined && t.messengerType === 'webmessaging') as TruthConversation;
    const sms = () => truths.find((t) => t.messengerType === 'sms') as TruthConversation;

    it('GET timeline returns the verified timeline: every message in order, integrity and SLA', async () => {
      const clean = truths.find((t) => t.anomalies.length === 0 && t.canonicalMessageCount > 3) as TruthConversation;
      const response = await api.request('GET', `/v1/conversations/${clean.id}/timeline`, { key: api.keys.reader });
      expect(response.status).toBe(200);
      const timeline = response.json;
      expect(timeline.conversation).toMatchObject({ id: clean.id, messengerType: clean.messengerType, startTime: clean.startTime });
      expect(timeline.messages.map((m: { id: string }) => m.id)).toEqual(api.sandbox.truth.messages(clean.id)?.map((m) => m['id']));
      expect(timeline.integrity.clean).toBe(true);
      expect(timeline.sla).toEqual(expect.objectContaining({ outbound: expect.any(Number), breaches: expect.any(Array) }));
    });

    it('GET timeline reports the integrity problems Genesys data has', async () => {
      const anomalous = truths.find((t) => t.anomalies.some((a) => a.kind === 'duplicate-provider-message-id')) as TruthConversation;
      const response = await api.request('GET', `/v1/conversations/${anomalous.id}/timeline`, { key: api.keys.reader });
      expect(response.json.integrity.clean).toBe(false);
      expect(response.json.integrity.duplicates).toContainEqual(expect.objectContaining({ kind: 'duplicate-provider-message-id' }));
    });

    it('renders Markdown and text transcripts with their content types, filtered by window and type', async () => {
      const conversation = truths.find((t) => t.canonicalMessageCount > 3) as TruthConversation;
      const markdown = await api.request('GET', `/v1/conversations/${conversation.id}/timeline?format=markdown&receipts=true`, { key: api.keys.reader });
      expect(markdown.status).toBe(200);
      expect(markdown.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
      expect(markdown.text).toMatch(/^# Conversation /);
      expect(markdown.text).toContain('**Integrity:**');
      const text = await api.request('GET', `/v1/conversations/${conversation.id}/timeline?format=text`, { key: api.keys.reader });
      expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(text.text).toContain(conversation.id);
      const none = await api.request('GET', `/v1/conversations/${conversation.id}/timeline?from=2030-01-01T00:00:00Z&messageTypes=Text,Event`, { key: api.keys.reader });
      expect(none.json.messages).toEqual([]);
    });

    it('GET timeline of an unknown conversation is 404 with the Genesys correlation id', async () => {
      const response = await api.request('GET', '/v1/conversations/00000000-0000-4000-8000-000000000000/timeline', { key: api.keys.reader });
      expect(response.status).toBe(404);
      expect(response.json).toMatchObject({ type: 'urn:gcm:problem:not-found', upstream: { status: 404, code: 'not.found', contextId: expect.any(String) } });
    });

    it('POST messages sends as the connected agent', async () => {
      const conversation = connected();
      const response = await api.request('POST', `/v1/conversations/${conversation.id}/messages`, { key: api.keys.writer, body: { text: 'An agent speaking' } });
      expect(response.status).toBe(201);
      expect(response.json).toMatchObject({ via: 'agent', conversationId: conversation.id, messengerType: conversation.messengerType, latencyMs: expect.any(Number) });
      const stored = api.sandbox.truth.messages(conversation.id)?.find((m) => m['id'] === response.json.messageId);
      expect(stored).toMatchObject({ direction: 'outbound' });
    });

    it('POST messages answers 409 when no agent is connected, and sends agentless where configured', async () => {
      const over = ended();
      const refused = await api.request('POST', `/v1/conversations/${over.id}/messages`, { key: api.keys.writer, body: { text: 'Anyone?' } });
      expect(refused.status).toBe(409);
      expect(refused.json.type).toBe('urn:gcm:problem:no-agent-communication');
      const webAgentless = await api.request('POST', `/v1/conversations/${over.id}/messages`, { key: api.keys.writer, body: { text: 'Anyone?', via: 'agentless' } });
      expect(webAgentless.status).toBe(422);
      const text = await api.request('POST', `/v1/conversations/${sms().id}/messages`, { key: api.keys.writer, body: { text: 'Your parcel is on its way', via: 'agentless' } });
      expect(text.status).toBe(201);
      expect(text.json).toMatchObject({ via: 'agentless', messengerType: 'sms' });
      expect(api.sandbox.truth.messages(text.json.conversationId)?.map((m) => m['id'])).toContain(text.json.messageId);
    });

    it('validates messages per channel and body kind, naming the fields', async () => {
      const cases: Array<[string, Record<string, unknown>, string[], string]> = [
        [sms().id, { text: 'x'.repeat(766), via: 'agentless' }, ['text'], 'TEXT_TOO_LONG'],
        [connected().id, { text: 'x', mediaIds: ['m-1'] }, ['mediaIds'], 'AMBIGUOUS_BODY'],
        [connected().id, {}, ['text'], 'EMPTY_BODY'],
        [connected().id, { text: 'x', via: 'pigeon' }, ['via'], 'isIn'],
        [connected().id, { template: { parameters: [{ id: 1 }] } }, ['template.parameters[0].id', 'template.parameters[0].value', 'template.responseId'], 'isString'],
      ];
      for (const [id, body, fields, code] of cases) {
        const response = await api.request('POST', `/v1/conversations/${id}/messages`, { key: api.keys.writer, body });
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
        expect([...response.json.fields].sort()).toEqual(fields);
        expect(response.json.errors.map((e: { code: string }) => e.code)).toContain(code);
      }
    });
  });
});

async function waitFor(check: () => Promise<boolean>, attempts = 50): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not met');
}
