import { createHash } from 'node:crypto';
import { ManualClock, RunningSandbox } from '../../index';
import { SandboxApiClient, startTestSandbox } from '../../test/sandbox-api-client';
import { Frame, GuestSocketClient } from '../../test/guest-socket-client';

const AGENT_REPLY_MS = 1500;

describe('web messaging guest WebSocket', () => {
  let sandbox: RunningSandbox;
  let clock: ManualClock;
  let api: SandboxApiClient;
  const sockets: GuestSocketClient[] = [];
  let tokenSeq = 0;

  beforeAll(async () => {
    ({ sandbox, clock, api } = await startTestSandbox({ agentReplyMs: AGENT_REPLY_MS }));
    await api.login();
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    api.close();
    await sandbox.close();
  });

  function newToken(): string {
    return `00000000-0000-4000-8000-${String(++tokenSeq).padStart(12, '0')}`;
  }

  async function connect(token = newToken(), deploymentId = sandbox.deploymentId): Promise<GuestSocketClient> {
    const client = await GuestSocketClient.open(`${sandbox.webMessagingUrl}?deploymentId=${deploymentId}`, token);
    sockets.push(client);
    return client;
  }

  async function session(): Promise<GuestSocketClient> {
    const client = await connect();
    const configured = await client.configure(sandbox.deploymentId);
    expect(configured.class).toBe('SessionResponse');
    return client;
  }

  function conversationOf(client: GuestSocketClient): string {
    const id = sandbox.webMessaging.sessionIdForToken(client.token)!;
    const summary = sandbox.webMessaging.sessions().find((s) => s.id === id)!;
    return summary.conversationIds[summary.conversationIds.length - 1];
  }

  it('configureSession answers a SessionResponse with the deployment limits', async () => {
    const client = await connect();
    const frame = await client.configure(sandbox.deploymentId);
    expect(frame).toEqual({
      type: 'response',
      class: 'SessionResponse',
      code: 200,
      tracingId: expect.any(String),
      body: {
        connected: true,
        newSession: true,
        readOnly: false,
        allowedMedia: { inbound: { fileTypes: expect.arrayContaining([{ type: 'image/png' }, { type: 'application/pdf' }]), maxFileSizeKB: 10240 } },
        blockedExtensions: expect.arrayContaining(['.exe', '.bat']),
        maxCustomDataBytes: 2048,
        durationSeconds: 259200,
        expirationDate: Math.floor(clock.now() / 1000) + 259200,
      },
    });
  });

  it('refuses an unknown deployment with a 403 string frame, and a connect URL without deploymentId', async () => {
    const client = await connect(newToken(), 'not-a-deployment');
    const frame = await client.configure('not-a-deployment');
    expect(frame).toMatchObject({ type: 'response', class: 'string', code: 403 });
    expect(frame.body).toContain('not-a-deployment');
    await expect(GuestSocketClient.open(sandbox.webMessagingUrl, newToken())).rejects.toThrow(/400/);
  });

  it('answers 4007 to a request on a socket that has not configured a session', async () => {
    const client = await connect();
    const frame = await client.sendText('hello?');
    expect(frame).toMatchObject({ type: 'response', class: 'string', code: 4007 });
  });

  it('echoes guest messages as StructuredMessages and records a webmessaging conversation the REST API reads back', async () => {
    const client = await session();
    const echo = await client.sendText('Hi, where is my order? 📦', {}, {
      channel: { metadata: { customAttributes: { orderNumber: 'A-1234', language: 'en' } } },
    });
    expect(echo).toMatchObject({
      type: 'message',
      class: 'StructuredMessage',
      code: 200,
      body: { type: 'Text', text: 'Hi, where is my order? 📦', direction: 'Inbound', channel: { time: new Date(clock.now()).toISOString() } },
    });
    const conversationId = conversationOf(client);
    const conversation = await api.get(`/api/v2/conversations/messages/${conversationId}`);
    expect(conversation.status).toBe(200);
    const customer = conversation.body.participants.find((p: { purpose: string }) => p.purpose === 'customer');
    expect(customer).toMatchObject({ type: 'webmessaging', state: 'connected', attributes: { 'context.orderNumber': 'A-1234', 'context.language': 'en' } });
    expect(customer.messages.map((m: { messageId: string }) => m.messageId)).toEqual([echo.body.id]);
    expect(conversation.body.participants.map((p: { purpose: string }) => p.purpose)).toEqual(['customer', 'acd']);

    const bulk = await api.post(`/api/v2/conversations/messages/${conversationId}/messages/bulk`, [echo.body.id]);
    expect(bulk.status).toBe(200);
    expect(bulk.body.entities).toEqual([
      expect.objectContaining({
        id: echo.body.id,
        direction: 'inbound',
        messengerType: 'webmessaging',
        status: 'received',
        normalizedMessage: expect.objectContaining({ text: 'Hi, where is my order? 📦', direction: 'Inbound', channel: expect.objectContaining({ platform: 'WebMessaging' }) }),
      }),
    ]);
  });

  it('acceptance: a guest session with messages and an attachment reads back through the conversation and bulk endpoints', async () => {
    const client = await session();
    const first = await client.sendText('Hello, my parcel arrived damaged.');
    const firstReply = client.nextPush('StructuredMessage');
    clock.advance(AGENT_REPLY_MS);
    const agentFrame = await firstReply;
    const bytes = Buffer.from('%PDF-1.7\nphoto report\n');
    const presigned = await client.request('onAttachment', { fileName: 'report.pdf', fileType: 'application/pdf', fileSize: bytes.length });
    const uploaded = client.nextPush('UploadSuccessEvent');
    expect((await fetch(presigned.body.url, { method: 'PUT', headers: presigned.body.headers, body: bytes })).status).toBe(200);
    await uploaded;
    const second = await client.request('onMessage', {
      message: { type: 'Text', text: 'Here is the report', content: [{ contentType: 'Attachment', attachment: { id: presigned.body.attachmentId } }] },
    });
    expect(second.class).toBe('StructuredMessage');

    const conversationId = conversationOf(client);
    const conversation = (await api.get(`/api/v2/conversations/messages/${conversationId}`)).body;
    const ids = conversation.participants.flatMap((p: { messages: Array<{ messageId: string }> }) => p.messages.map((m) => m.messageId));
    expect(ids.sort()).toEqual([first.body.id, agentFrame.body.id, second.body.id].sort());
    const customer = conversation.participants.find((p: { purpose: string }) => p.purpose === 'customer');
    expect(customer.messages[1].media).toEqual([expect.objectContaining({ id: presigned.body.attachmentId, mediaType: 'application/pdf', contentLengthBytes: bytes.length })]);

    const bulk = await api.post(`/api/v2/conversations/messages/${conversationId}/messages/bulk`, [first.body.id, agentFrame.body.id, second.body.id]);
    expect(bulk.status).toBe(200);
    expect(bulk.body.entities.map((m: { direction: string; normalizedMessage: { text: string } }) => [m.direction, m.normalizedMessage.text])).toEqual([
      ['inbound', 'Hello, my parcel arrived damaged.'],
      ['outbound', agentFrame.body.text],
      ['inbound', 'Here is the report'],
    ]);
    expect(bulk.body.entities[2].normalizedMessage.content[0].attachment).toMatchObject({
      id: presigned.body.attachmentId,
      mime: 'application/pdf',
      filename: 'report.pdf',
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('lets the simulated agent join and answer after agentReplyMs on the sandbox clock, never earlier', async () => {
    const client = await session();
    const echo = await client.sendText('Is anyone there?');
    const sentAt = clock.now();
    clock.advance(AGENT_REPLY_MS - 1);
    await client.sync();
    expect(client.frames.filter((f) => f.body?.direction === 'Outbound')).toEqual([]);

    const reply = client.nextPush('StructuredMessage');
    clock.advance(1);
    const frame = await reply;
    expect(frame).toMatchObject({
      type: 'message',
      class: 'StructuredMessage',
      code: 200,
      body: { type: 'Text', direction: 'Outbound', originatingEntity: 'Human', channel: { time: new Date(sentAt + AGENT_REPLY_MS).toISOString() } },
    });
    expect(frame.body.text.length).toBeGreaterThan(0);

    const conversationId = conversationOf(client);
    const conversation = (await api.get(`/api/v2/conversations/messages/${conversationId}`)).body;
    expect(conversation.participants.map((p: { purpose: string; state: string }) => `${p.purpose}:${p.state}`)).toEqual([
      'customer:connected',
      'acd:disconnected',
      'agent:connected',
    ]);
    const agent = conversation.participants[2];
    expect(agent.user.id).toEqual(expect.any(String));
    expect(agent.messages.map((m: { messageId: string }) => m.messageId)).toEqual([frame.body.id]);
    const bulk = await api.post(`/api/v2/conversations/messages/${conversationId}/messages/bulk`, [echo.body.id, frame.body.id]);
    expect(bulk.body.entities.map((m: { direction: string }) => m.direction)).toEqual(['inbound', 'outbound']);
    expect(bulk.body.entities[1].normalizedMessage.text).toBe(frame.body.text);
    expect(sandbox.truth.messages(conversationId)!.map((m) => m.id)).toEqual([echo.body.id, frame.body.id]);
  });

  it('pushes agent messages sent over REST to the guest', async () => {
    const client = await session();
    await client.sendText('I need help with an invoice');
    const reply = client.nextPush('StructuredMessage');
    clock.advance(AGENT_REPLY_MS);
    await reply;
    const conversationId = conversationOf(client);
    const agent = sandbox.truth.conversation(conversationId)!.participants.find((p) => p.purpose === 'agent')!;
    const pushed = client.nextPush('StructuredMessage');
    const sent = await api.post(`/api/v2/conversations/messages/${conversationId}/communications/${agent.communicationId}/messages`, { textBody: 'Sending it now.' });
    expect(sent.status).toBe(200);
    expect((await pushed).body).toMatchObject({ id: sent.body.id, text: 'Sending it now.', direction: 'Outbound' });
  });

  it('uploads an attachment: PresignedUrlResponse, PUT, UploadSuccessEvent, then a message carrying it', async () => {
    const client = await session();
    const bytes = Buffer.from('\x89PNG\r\n\x1a\n a tiny picture');
    const presigned = await client.request('onAttachment', {
      attachmentId: 'a1b2c3d4-0000-4000-8000-000000000001',
      fileName: 'damaged-box.png',
      fileType: 'image/png',
      fileSize: bytes.length,
      fileMd5: createHash('md5').update(bytes).digest('base64'),
    });
    expect(presigned).toMatchObject({
      type: 'response',
      class: 'PresignedUrlResponse',
      code: 200,
      body: { attachmentId: 'a1b2c3d4-0000-4000-8000-000000000001', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/uploads\//), headers: { 'Content-Type': 'image/png' } },
    });
    const uploaded = client.nextPush('UploadSuccessEvent');
    const put = await fetch(presigned.body.url, { method: 'PUT', headers: presigned.body.headers, body: bytes });
    expect(put.status).toBe(200);
    const success = await uploaded;
    expect(success).toMatchObject({
      type: 'message',
      class: 'UploadSuccessEvent',
      code: 200,
      body: { attachmentId: presigned.body.attachmentId, downloadUrl: expect.stringMatching(/^http:\/\//), timestamp: new Date(clock.now()).toISOString() },
    });
    expect(Buffer.from(await (await fetch(success.body.downloadUrl)).arrayBuffer())).toEqual(bytes);

    const echo = await client.request('onMessage', {
      message: { type: 'Text', text: 'See the photo', content: [{ contentType: 'Attachment', attachment: { id: presigned.body.attachmentId } }] },
    });
    expect(echo.body.content).toEqual([
      {
        contentType: 'Attachment',
        attachment: expect.objectContaining({ id: presigned.body.attachmentId, filename: 'damaged-box.png', mime: 'image/png', mediaType: 'Image', fileSize: bytes.length }),
      },
    ]);
    const message = (await api.get(`/api/v2/conversations/messages/${conversationOf(client)}/messages/${echo.body.id}`)).body;
    const attachment = message.normalizedMessage.content[0].attachment;
    expect(attachment).toMatchObject({ id: presigned.body.attachmentId, sha256: createHash('sha256').update(bytes).digest('hex'), contentSizeBytes: bytes.length });
    expect(Buffer.from(await (await fetch(attachment.url)).arrayBuffer())).toEqual(bytes);
  });

  it('refuses blocked extensions and types with 4001 and oversized files with 4002 (GenerateUrlError when errorsAsJson)', async () => {
    const client = await session();
    const blocked = await client.request('onAttachment', { fileName: 'setup.exe', fileType: 'image/png', fileSize: 10 });
    expect(blocked).toMatchObject({ type: 'response', class: 'string', code: 4001 });
    const trailingDot = await client.request('onAttachment', { fileName: 'setup.EXE.', fileType: 'image/png', fileSize: 10 });
    expect(trailingDot.code).toBe(4001);
    const type = await client.request('onAttachment', { fileName: 'notes.txt', fileType: 'text/plain', fileSize: 10 });
    expect(type).toMatchObject({ class: 'string', code: 4001 });
    const size = await client.request('onAttachment', { fileName: 'big.pdf', fileType: 'application/pdf', fileSize: 10240 * 1024 + 1 });
    expect(size).toMatchObject({ class: 'string', code: 4002 });
    const json = await client.request('onAttachment', { attachmentId: 'x-1', fileName: 'big.pdf', fileType: 'application/pdf', fileSize: 99_999_999, errorsAsJson: true });
    expect(json).toMatchObject({ class: 'GenerateUrlError', body: { attachmentId: 'x-1', errorCode: 4002, errorMessage: expect.any(String) } });
    const unknown = await client.request('onMessage', { message: { type: 'Text', text: 'x', content: [{ contentType: 'Attachment', attachment: { id: 'nope' } }] } });
    expect(unknown.code).toBe(4009);
  });

  it('resumes the session by token on a new socket after a forced drop, keeping the conversation', async () => {
    const token = newToken();
    const first = await connect(token);
    await first.configure(sandbox.deploymentId);
    const before = await first.sendText('First message');
    const conversationId = conversationOf(first);

    expect(sandbox.webMessaging.dropConnections(sandbox.webMessaging.sessionIdForToken(token))).toBe(1);
    const closed = await first.whenClosed();
    expect(closed.code).toBe(1006);

    const second = await connect(token);
    const resumed = await second.configure(sandbox.deploymentId);
    expect(resumed.body).toMatchObject({ connected: true, newSession: false });
    clock.advance(1000);
    const after = await second.sendText('Back again');
    expect(conversationOf(second)).toBe(conversationId);

    // the replies come due while the new socket is open, so they arrive there
    const reply = second.nextPush('StructuredMessage');
    clock.advance(AGENT_REPLY_MS);
    expect((await reply).body.direction).toBe('Outbound');
    const ids = sandbox.truth.messages(conversationId)!.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining([before.body.id, after.body.id]));
    expect(sandbox.truth.conversation(conversationId)!.participants[0].messageIds).toEqual([before.body.id, after.body.id]);
  });

  it('allows 2 messages per second per session: the 3rd within a second gets 4029 with retryAfter', async () => {
    const client = await session();
    expect((await client.sendText('one')).class).toBe('StructuredMessage');
    clock.advance(300);
    expect((await client.sendText('two')).class).toBe('StructuredMessage');
    clock.advance(300);
    const third = await client.sendText('three');
    expect(third).toEqual({
      type: 'response',
      class: 'TooManyRequestsErrorMessage',
      code: 429,
      tracingId: expect.any(String),
      body: { retryAfter: 1, errorCode: 4029, errorMessage: 'Message rate too high for this session' },
    });
    clock.advance(400);
    expect((await client.sendText('three again')).class).toBe('StructuredMessage');
    expect(sandbox.stats.snapshot().guestErrors['4029']).toBeGreaterThanOrEqual(1);
  });

  it('answers 4011 for text over 2,000 characters (code points) and 4013 for custom attributes over maxCustomDataBytes', async () => {
    const client = await session();
    const tooLong = await client.sendText('é'.repeat(2001));
    expect(tooLong).toMatchObject({ type: 'response', class: 'string', code: 4011 });
    clock.advance(1000);
    expect((await client.sendText('😀'.repeat(2000))).class).toBe('StructuredMessage');
    clock.advance(1000);
    const attributes = await client.sendText('hello', {}, { channel: { metadata: { customAttributes: { blob: 'x'.repeat(2048) } } } });
    expect(attributes).toMatchObject({ class: 'string', code: 4013, body: 'Custom Attributes in channel metadata is larger than 2048 bytes' });
  });

  it('ignores custom attributes in the deprecated request-level channel.metadata, and counts the use', async () => {
    const client = await session();
    const before = sandbox.stats.snapshot().deprecatedUsage['webmessaging.channel.metadata'] ?? 0;
    const echo = await client.sendText('beside the message', { channel: { metadata: { customAttributes: { ignored: 'yes' } } } });
    expect(echo.class).toBe('StructuredMessage');
    const conversation = await api.get(`/api/v2/conversations/messages/${conversationOf(client)}`);
    const customer = conversation.body.participants.find((p: { purpose: string }) => p.purpose === 'customer');
    expect(customer.attributes ?? {}).not.toHaveProperty('context.ignored');
    expect(sandbox.stats.snapshot().deprecatedUsage['webmessaging.channel.metadata']).toBe(before + 1);
  });

  it('expires a session after durationSeconds: SessionExpiredEvent, then 4006; startNew opens a new session', async () => {
    const client = await session();
    const expired = client.nextPush('SessionExpiredEvent');
    clock.advance(259_200 * 1000);
    expect(await expired).toEqual({ type: 'message', class: 'SessionExpiredEvent', code: 200, body: {} });
    expect((await client.sendText('still there?')).code).toBe(4006);
    expect((await client.configure(sandbox.deploymentId)).code).toBe(4006);
    const fresh = await client.configure(sandbox.deploymentId, { startNew: true });
    expect(fresh.body).toMatchObject({ connected: true, newSession: true });
  });

  it('echo, getJwt, getConfiguration and the guest history with the guest JWT', async () => {
    const client = await session();
    const echo = await client.request('echo', { message: { type: 'Text', text: 'ping' } });
    expect(echo).toMatchObject({ type: 'response', class: 'StructuredMessage', code: 200, body: { text: 'ping', type: 'Text', direction: 'Inbound' } });
    const configuration = await client.request('getConfiguration');
    expect(configuration).toMatchObject({ class: 'DeploymentConfig', body: { id: sandbox.deploymentId, status: 'Active', messenger: { enabled: true } } });

    await client.sendText('first');
    const reply = client.nextPush('StructuredMessage');
    clock.advance(AGENT_REPLY_MS);
    await reply;
    clock.advance(1000);
    await client.sendText('third');

    const jwt = await client.request('getJwt');
    expect(jwt).toMatchObject({ type: 'response', class: 'JwtResponse', code: 200, body: { jwt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), exp: Math.floor(clock.now() / 1000) + 3600 } });
    expect(jwt.body.jwt).not.toContain(client.token);
    const page1 = await api.get('/api/v2/webmessaging/messages?pageSize=2&pageNumber=1', { token: jwt.body.jwt });
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ pageSize: 2, pageNumber: 1, total: 3, pageCount: 2 });
    expect(page1.body.entities.map((m: { text: string; direction: string }) => `${m.direction}:${m.text}`)).toEqual(['Inbound:third', expect.stringMatching(/^Outbound:/)]);
    const page2 = await api.get('/api/v2/webmessaging/messages?pageSize=2&pageNumber=2', { token: jwt.body.jwt });
    expect(page2.body.entities.map((m: { text: string }) => m.text)).toEqual(['first']);
    expect(page2.body.entities[0]).toMatchObject({ id: expect.any(String), type: 'Text', direction: 'Inbound', channel: { time: expect.any(String), messageId: expect.any(String) } });

    expect((await api.get('/api/v2/webmessaging/messages', { auth: false })).body.code).toBe('authentication.required');
    expect((await api.get('/api/v2/webmessaging/messages', { token: `${jwt.body.jwt}x` })).status).toBe(401);
    expect((await api.get('/api/v2/webmessaging/messages', { token: api.token })).status).toBe(401);
    clock.advance(3600 * 1000);
    expect((await api.get('/api/v2/webmessaging/messages', { token: jwt.body.jwt })).body.code).toBe('bad.credentials');
  });

  it('closeSession sends ConnectionClosedEvent and closes the socket; the token resumes later', async () => {
    const token = newToken();
    const client = await connect(token);
    await client.configure(sandbox.deploymentId);
    const closed = await client.request('closeSession', { closeAllConnections: true });
    expect(closed).toMatchObject({ type: 'message', class: 'ConnectionClosedEvent', code: 200, body: {} });
    expect((await client.whenClosed()).code).toBe(1000);
    const again = await connect(token);
    expect((await again.configure(sandbox.deploymentId)).body.newSession).toBe(false);
  });

  it('tells the guest when the agent disconnects, and the next message starts a new conversation', async () => {
    const client = await session();
    await client.sendText('hello');
    const reply = client.nextPush('StructuredMessage');
    clock.advance(AGENT_REPLY_MS);
    await reply;
    const conversationId = conversationOf(client);
    const agent = sandbox.truth.conversation(conversationId)!.participants.find((p) => p.purpose === 'agent')!;
    await api.login(); // earlier specs moved the clock past the token's lifetime
    const presence = client.next((f: Frame) => f.body?.type === 'Event', { after: client.frames.length });
    const patch = await api.request('PATCH', `/api/v2/conversations/messages/${conversationId}/participants/${agent.id}`, { body: { state: 'disconnected' } });
    expect(patch.status).toBe(202);
    expect((await presence).body).toMatchObject({ direction: 'Outbound', events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }] });
    clock.advance(1000);
    await client.sendText('one more thing');
    expect(conversationOf(client)).not.toBe(conversationId);
  });

  it('shows guest sessions in the truth and /__sandbox without their tokens', async () => {
    const client = await session();
    await client.sendText('for the record');
    const sessionId = sandbox.webMessaging.sessionIdForToken(client.token)!;
    const summary = sandbox.truth.guestSessions().find((s) => s.id === sessionId)!;
    expect(summary).toMatchObject({ deploymentId: sandbox.deploymentId, expired: false, connected: 1, conversationIds: [conversationOf(client)] });
    expect(sandbox.truth.guestConversationIds()).toContain(conversationOf(client));
    const admin = await api.get('/__sandbox/webmessaging/sessions', { auth: false });
    expect(admin.body.entities).toContainEqual(summary);
    expect(admin.text).not.toContain(client.token);
    expect(sandbox.truth.conversation(conversationOf(client))).toMatchObject({ messengerType: 'webmessaging', channelId: sandbox.deploymentId });
  });
});
