import { createGenesysConnection } from '@gcm/genesys-auth';
import { FakeClock } from '@gcm/genesys-auth/testing';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '@gcm/genesys-sandbox';
import { settledSleep } from '../../testing';
import { messageAttachments, messageText } from '../models/message-normalizer';
import { MessagingClient } from '../rest/messaging-client.service';
import { MessageValidationError, ViolationCode } from '../validation/message-validation.error';
import { GuestSession, type GuestSessionOptions } from './guest-session';
import { WebMessagingErrorCode } from './web-messaging.error';

const NOW = '2026-03-01T12:00:00.000Z';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

describe('GuestSession against the sandbox guest WebSocket', () => {
  let clock: FakeClock;
  let sandbox: RunningSandbox;
  let deploymentId: string;
  const sessions: GuestSession[] = [];

  /** The sandbox and the client read one fake clock. */
  async function start(options: Partial<SandboxOptions> = {}) {
    clock = new FakeClock(NOW);
    sandbox = await startSandbox({ seed: 3, conversations: 5, now: NOW, clock: { now: () => clock.now() }, agentReplyMs: false, ...options });
    deploymentId = sandbox.truth.catalog.webDeployments[0].id;
  }

  async function open(extra: Partial<GuestSessionOptions> = {}): Promise<GuestSession> {
    const ref: { session?: GuestSession } = {};
    const session = await GuestSession.open({
      deploymentId,
      apiBaseUrl: sandbox.apiBaseUrl,
      clock,
      // fake time moves only when no frame is on the wire, so the sandbox sees send times
      sleep: settledSleep(clock.sleep, () => ref.session?.inFlight ?? 0),
      random: () => 0.5,
      keepAlive: false,
      ...extra,
    });
    ref.session = session;
    sessions.push(session);
    return session;
  }

  function restClient(): MessagingClient {
    const { transport } = createGenesysConnection({
      apiBaseUrl: sandbox.apiBaseUrl,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport: { clock, sleep: clock.sleep },
    });
    return new MessagingClient({ transport, clock });
  }

  afterEach(async () => {
    for (const session of sessions.splice(0)) session.disconnect();
    await sandbox?.close();
  });

  it('session, 20-message burst with zero 4029s, attachment, forced drop and resume, all read back through REST bulk', async () => {
    await start();
    const session = await open();
    expect(session.webSocketUrl).toBe(sandbox.webMessagingUrl);
    expect(session.session.newSession).toBe(true);
    const sessionId = sandbox.webMessaging.sessionIdForToken(session.token) as string;
    expect(sessionId).toEqual(expect.any(String));

    // 20 messages in a burst: queued to 2 per second on the shared fake clock
    const started = clock.now();
    const texts = Array.from({ length: 20 }, (_, i) => `burst ${i + 1} — ça marche 👍`);
    const echoes = await Promise.all(texts.map((text) => session.sendText(text)));
    expect(echoes.map((e) => e.text)).toEqual(texts);
    expect(sandbox.stats.snapshot().guestErrors['4029']).toBeUndefined();
    expect(sandbox.stats.snapshot().guestErrors).toEqual({});
    expect(clock.now() - started).toBeGreaterThanOrEqual(9_000);

    // an attachment through onAttachment → PUT /uploads/{id} → UploadSuccessEvent
    const withFile = await session.sendAttachment({ fileName: 'screenshot.png', mimeType: 'image/png', bytes: PNG }, { text: 'my screenshot' });
    expect(withFile.content?.[0]?.attachment).toMatchObject({ filename: 'screenshot.png' });

    // forced socket drop: the client reconnects and resumes the same session by its token
    const reconnected = new Promise<boolean | undefined>((resolve) => session.once('reconnected', (s) => resolve(s.newSession)));
    expect(sandbox.webMessaging.dropConnections(sessionId)).toBe(1);
    expect(await reconnected).toBe(false);
    const afterDrop = await session.sendText('after the drop');
    expect(afterDrop.text).toBe('after the drop');
    expect(sandbox.webMessaging.sessions()).toHaveLength(1);
    expect(sandbox.stats.snapshot().sockets.guest.connections).toBe(2);

    // everything the guest sent, read back through the REST bulk endpoint
    const [summary] = sandbox.webMessaging.sessions();
    expect(summary.id).toBe(sessionId);
    expect(summary.conversationIds).toHaveLength(1);
    const { messages, missingIds } = await restClient().getConversationMessages(summary.conversationIds[0]);
    expect(missingIds).toEqual([]);
    expect(sandbox.stats.count('POST /api/v2/conversations/messages/:conversationId/messages/bulk', 200)).toBe(1);
    expect(messages.map(messageText)).toEqual([...texts, 'my screenshot', 'after the drop']);
    expect(messages.every((m) => m.direction === 'inbound' && m.messengerType === 'webmessaging')).toBe(true);
    const [attachment] = messageAttachments(messages[20]);
    expect(attachment).toMatchObject({ filename: 'screenshot.png', mime: 'image/png', contentSizeBytes: PNG.length });
    const downloaded = Buffer.from(await (await fetch(attachment.url as string)).arrayBuffer());
    expect(downloaded.equals(PNG)).toBe(true);
    expect(sandbox.stats.snapshot().guestErrors).toEqual({});
  });

  it('resumes from a persisted token in a new client after the old one went away', async () => {
    await start();
    const first = await open();
    await first.sendText('remember me');
    const token = first.token;
    first.disconnect();

    const second = await open({ token });
    expect(second.session.newSession).toBe(false);
    const history: Array<string | undefined> = [];
    for await (const message of second.history({ pageSize: 10 })) history.push(message.text);
    expect(history).toEqual(['remember me']);
    expect(sandbox.webMessaging.sessions()).toHaveLength(1);
  });

  it('exposes the sandbox session limits and refuses what they forbid without sending a frame', async () => {
    await start({ webMessaging: { maxCustomDataBytes: 64, maxFileSizeKB: 1 } });
    const session = await open();
    expect(session.limits).toMatchObject({
      maxCustomDataBytes: 64,
      maxSizeBytes: 1024,
      allowedMimeTypes: expect.arrayContaining(['image/png', 'application/pdf']),
      blockedExtensions: expect.arrayContaining(['.exe', '.bat']),
      durationSeconds: 259_200,
    });
    const framesBefore = sandbox.stats.snapshot().sockets.guest.framesIn;
    const attempts = [
      session.sendText('x'.repeat(2001)),
      session.sendAttachment({ fileName: 'setup.exe', mimeType: 'image/png', bytes: PNG }),
      session.sendText('hello', { customAttributes: { note: 'y'.repeat(64) } }),
      session.sendAttachment({ fileName: 'big.png', mimeType: 'image/png', bytes: new Uint8Array(1025) }),
    ];
    const codes = await Promise.all(attempts.map((p) => p.then(() => 'sent', (e: MessageValidationError) => e.violations[0].code)));
    expect(codes).toEqual([ViolationCode.TextTooLong, ViolationCode.BlockedExtension, ViolationCode.CustomAttributesTooLarge, ViolationCode.AttachmentTooLarge]);
    expect(sandbox.stats.snapshot().sockets.guest.framesIn).toBe(framesBefore);
  });

  it('sends custom attributes in message.channel.metadata, which the sandbox stores as participant data', async () => {
    await start();
    const session = await open();
    await session.sendText('with context', { customAttributes: { orderId: 'A-1009' } });
    const [summary] = sandbox.webMessaging.sessions();
    const conversation = await restClient().getMessageConversation(summary.conversationIds[0]);
    const customer = conversation.participants.find((p) => p.purpose === 'customer');
    expect(customer?.attributes?.['context.orderId']).toBe('A-1009');
    // nothing went to the deprecated request-level channel.metadata, which Genesys ignores
    expect(sandbox.stats.snapshot().deprecatedUsage).toEqual({});
  });

  it('streams the simulated agent’s reply', async () => {
    await start({ agentReplyMs: 0 });
    const session = await open();
    const replies = session.messages()[Symbol.asyncIterator]();
    await session.sendText('is anyone there?');
    const reply = await replies.next();
    expect(reply.value).toMatchObject({ direction: 'Outbound', type: 'Text' });
    expect(typeof reply.value.text).toBe('string');
  });

  it('ends on session expiry', async () => {
    await start();
    const session = await open();
    const expired = new Promise<void>((resolve) => session.once('sessionExpired', resolve));
    sandbox.webMessaging.expire(sandbox.webMessaging.sessionIdForToken(session.token) as string);
    await expired;
    expect(session.state).toBe('expired');
    await expect(session.sendText('hello?')).rejects.toMatchObject({ code: WebMessagingErrorCode.SessionExpired });

    // the token cannot resume an expired session; startNew gives a fresh one
    await expect(open({ token: session.token })).rejects.toMatchObject({ code: WebMessagingErrorCode.SessionExpired, serverCode: 4006 });
    const fresh = await open({ token: session.token, startNew: true });
    expect(fresh.session.newSession).toBe(true);
  });

  it('closeSession is acknowledged with ConnectionClosedEvent', async () => {
    await start();
    const session = await open();
    const closedEvents: Array<{ reason?: string }> = [];
    session.on('connectionClosed', (e) => closedEvents.push(e));
    await session.closeSession();
    expect(session.state).toBe('closed');
    expect(closedEvents).toHaveLength(1);
  });

  it('sends an echo keep-alive the sandbox answers', async () => {
    await start();
    const session = await open();
    expect(await session.echo()).toBe(true);
    expect(await session.echo()).toBe(false);
    expect(sandbox.stats.snapshot().guestErrors).toEqual({});
  });
});
