import { FakeClock } from '@gcm/genesys-auth/testing';
import { FakeGuestServer, settledSleep, type FakeGuestServerOptions } from '../../testing';
import { InMemoryDeliveryMetrics } from '../metrics/delivery-metrics';
import type { StructuredMessage } from '../models/web-messaging.model';
import { MessageValidationError, ViolationCode } from '../validation/message-validation.error';
import { GuestSession, type GuestSessionOptions } from './guest-session';
import { GuestSessionFactory } from './guest-session.factory';
import { WebMessagingError, WebMessagingErrorCode } from './web-messaging.error';

/** Waits for real I/O (frames crossing the loopback), never for time to pass. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

describe('GuestSession (against a real WebSocket guest server)', () => {
  let server: FakeGuestServer;
  let clock: FakeClock;
  const sessions: GuestSession[] = [];

  async function start(options: FakeGuestServerOptions = {}) {
    server = await FakeGuestServer.start({ clock, ...options });
  }

  async function open(extra: Partial<GuestSessionOptions> = {}): Promise<GuestSession> {
    const ref: { session?: GuestSession } = {};
    const session = await GuestSession.open({
      deploymentId: 'dep-1',
      webSocketUrl: server.webSocketUrl,
      apiBaseUrl: server.baseUrl,
      clock,
      // fake time moves only when no frame is on the wire: the server sees send times
      sleep: settledSleep(clock.sleep, () => ref.session?.inFlight ?? 0),
      random: () => 0.5,
      keepAlive: false,
      ...extra,
    });
    ref.session = session;
    sessions.push(session);
    return session;
  }

  beforeEach(() => {
    clock = new FakeClock('2026-03-01T12:00:00.000Z');
  });

  afterEach(async () => {
    for (const session of sessions.splice(0)) session.disconnect();
    await server?.close();
  });

  it('configures a new session and exposes the server limits', async () => {
    await start();
    const session = await open();
    expect(session.state).toBe('open');
    const [configure] = server.frames('configureSession');
    expect(configure).toMatchObject({ action: 'configureSession', deploymentId: 'dep-1', token: session.token });
    expect(configure.startNew).toBeUndefined();
    expect(typeof configure.tracingId).toBe('string');
    expect(session.session.newSession).toBe(true);
    expect(session.limits).toEqual({
      allowedMimeTypes: ['image/png', 'image/jpeg', 'application/pdf'],
      maxSizeBytes: 10 * 1024,
      blockedExtensions: ['.exe', '.bat'],
      maxCustomDataBytes: 100,
      readOnly: false,
      durationSeconds: 259_200,
      expirationDate: Math.floor(clock.now() / 1000) + 259_200,
    });
  });

  it('paces a burst of 20 messages to 2 per second by queueing: zero 4029s, order kept', async () => {
    await start();
    const metrics = new InMemoryDeliveryMetrics();
    const session = await open({ metrics });
    const started = clock.now();
    const texts = Array.from({ length: 20 }, (_, i) => `message ${i + 1}`);
    const echoes = await Promise.all(texts.map((text) => session.sendText(text)));

    expect(server.rateLimited).toBe(0);
    expect(echoes.map((e) => e.text)).toEqual(texts);
    expect(server.frames('onMessage').map((f) => (f.message as { text: string }).text)).toEqual(texts);
    const arrivals = server.arrivals.map((a) => a.at);
    for (const at of arrivals) expect(arrivals.filter((t) => t > at - 1000 && t <= at).length).toBeLessThanOrEqual(2);
    // configureSession took one slot at t0: 21 requests need 10 further seconds of fake time
    expect(clock.now() - started).toBe(10_000);
    expect(metrics.snapshot()['guest.sendText']).toMatchObject({ sent: 20, failed: 0, rejected: 0 });
  });

  it('answers TooManyRequests by pausing for retryAfter and sending again', async () => {
    await start({ rateLimit: { maxPerWindow: 2, windowMs: 1000, retryAfterSeconds: 1 } });
    // a client allowed more than the server accepts
    const session = await open({ rateLimit: { maxPerWindow: 10, windowMs: 1000 } });
    const rateLimited: number[] = [];
    session.on('rateLimited', (event) => rateLimited.push(event.retryAfterMs));
    const texts = ['a', 'b', 'c', 'd', 'e'];
    const echoes = await Promise.all(texts.map((text) => session.sendText(text)));
    expect(echoes.map((e) => e.text)).toEqual(texts);
    expect(server.rateLimited).toBeGreaterThan(0);
    expect(rateLimited.length).toBe(server.rateLimited);
    expect(rateLimited.every((ms) => ms === 1000)).toBe(true);
    const accepted = server.arrivals.filter((a) => a.action === 'onMessage' && a.accepted);
    expect(accepted).toHaveLength(5);
  });

  it('gives up with REQUEST_RATE_TOO_HIGH after maxRateLimitRetries', async () => {
    await start({ rateLimit: { maxPerWindow: 1, windowMs: 60_000, retryAfterSeconds: 2 } });
    const session = await open({ maxRateLimitRetries: 2 });
    const error = await session.sendText('hello').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebMessagingError);
    expect(error).toMatchObject({ code: WebMessagingErrorCode.RequestRateTooHigh, retryable: true });
    expect(server.frames('onMessage')).toHaveLength(3);
  });

  it('uploads an attachment (onAttachment → PUT → UploadSuccessEvent) and sends it', async () => {
    await start();
    const session = await open();
    const echo = await session.sendAttachment({ fileName: 'receipt.png', mimeType: 'image/png', bytes: PNG }, { text: 'see attached' });

    const [onAttachment] = server.frames('onAttachment');
    expect(onAttachment).toMatchObject({ fileName: 'receipt.png', fileType: 'image/png', fileSize: PNG.byteLength });
    const upload = server.uploads.get(onAttachment.attachmentId as string);
    expect(upload?.bytes && [...upload.bytes]).toEqual([...PNG]);
    expect(upload?.putHeaders?.authorization).toBeUndefined();
    expect(upload?.putHeaders?.['x-amz-tagging']).toBe('abc=123');
    const [onMessage] = server.frames('onMessage');
    expect(onMessage.message).toEqual({
      type: 'Text',
      text: 'see attached',
      content: [{ contentType: 'Attachment', attachment: { id: onAttachment.attachmentId } }],
    });
    expect(echo.content?.[0].attachment?.id).toBe(onAttachment.attachmentId);
  });

  it('fails the send when the server refuses the uploaded file, and sends no onMessage', async () => {
    await start();
    const session = await open();
    server.uploadFailure = { errorCode: 4003, errorMessage: 'File content is invalid' };
    const error = await session.sendAttachment({ fileName: 'a.pdf', mimeType: 'application/pdf', bytes: PNG }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: WebMessagingErrorCode.FileContentInvalid, serverCode: 4003 });
    expect((error as Error).message).toContain('File content is invalid');
    expect(server.frames('onMessage')).toHaveLength(0);
  });

  it('refuses invalid messages before anything is sent', async () => {
    await start();
    const session = await open();
    const attempts = [
      session.sendText('x'.repeat(2001)),
      session.sendAttachment({ fileName: 'setup.exe', mimeType: 'application/pdf', bytes: PNG }),
      session.sendAttachment({ fileName: 'a.zip', mimeType: 'application/zip', bytes: PNG }),
      session.sendAttachment({ fileName: 'big.png', mimeType: 'image/png', bytes: new Uint8Array(10 * 1024 + 1) }),
      session.sendText('hi', { customAttributes: { note: 'x'.repeat(100) } }),
      session.sendText('<script>alert(1)</script>'),
    ];
    const errors = await Promise.all(attempts.map((p) => p.then(() => undefined, (e: unknown) => e as MessageValidationError)));
    expect(errors.map((e) => e?.violations[0].code)).toEqual([
      ViolationCode.TextTooLong,
      ViolationCode.BlockedExtension,
      ViolationCode.AttachmentTypeNotAllowed,
      ViolationCode.AttachmentTooLarge,
      ViolationCode.CustomAttributesTooLarge,
      ViolationCode.BlockedContent,
    ]);
    expect(errors[0]?.message).toContain('text is 2,001 characters');
    expect(errors[4]?.message).toContain('at most 100 bytes');
    expect(server.received.map((f) => f.action)).toEqual(['configureSession']);
  });

  it('sends custom attributes inside the message (message.channel.metadata.customAttributes), never beside it', async () => {
    await start();
    const session = await open();
    await session.sendText('hi', { customAttributes: { plan: 'gold', locale: 'fr-BE' } });
    const [frame] = server.frames('onMessage');
    expect(frame.message).toEqual({ type: 'Text', text: 'hi', channel: { metadata: { customAttributes: { plan: 'gold', locale: 'fr-BE' } } } });
    expect(frame).not.toHaveProperty('channel');
    expect(server.sessions.get(session.token)?.customAttributes).toEqual({ plan: 'gold', locale: 'fr-BE' });
  });

  it('streams agent messages; the guest’s own echoes only with includeOwn', async () => {
    await start();
    const session = await open();
    const agentOnly = session.messages()[Symbol.asyncIterator]();
    const everything = session.messages({ includeOwn: true })[Symbol.asyncIterator]();
    await session.sendText('hello?');
    server.pushAgentMessage(session.token, 'Hi, how can I help?');
    expect((await agentOnly.next()).value).toMatchObject({ text: 'Hi, how can I help?', direction: 'Outbound' });
    expect((await everything.next()).value).toMatchObject({ text: 'hello?', direction: 'Inbound' });
    expect((await everything.next()).value).toMatchObject({ text: 'Hi, how can I help?' });
    await session.closeSession();
    expect(await agentOnly.next()).toEqual({ value: undefined, done: true });
  });

  it('reconnects after a forced drop with backoff and resumes the same session by token', async () => {
    await start();
    const session = await open();
    await session.sendText('before the drop');
    const reconnecting: Array<{ attempt: number; delayMs: number }> = [];
    const reconnected = new Promise<boolean | undefined>((resolve) => session.once('reconnected', (s) => resolve(s.newSession)));
    session.on('reconnecting', (event) => reconnecting.push(event));

    server.dropConnections();
    const after = await session.sendText('after the drop');

    expect(await reconnected).toBe(false);
    expect(after.text).toBe('after the drop');
    expect(reconnecting).toEqual([{ attempt: 1, delayMs: 500 }]);
    expect(clock.sleeps).toContain(500);
    expect(server.connections).toBe(2);
    const configures = server.frames('configureSession');
    expect(configures).toHaveLength(2);
    expect(configures[1]).toMatchObject({ token: session.token, deploymentId: 'dep-1' });
    expect(configures[1].startNew).toBeUndefined();
    expect(server.sessions.get(session.token)?.messages.map((m) => m.text)).toEqual(['before the drop', 'after the drop']);
  });

  it('fails a request in flight at the drop with CONNECTION_LOST (it may have arrived)', async () => {
    await start();
    const session = await open();
    server.silentActions.add('onMessage');
    const inFlight = session.sendText('lost in transit');
    await until(() => server.frames('onMessage').length === 1, 'the onMessage frame');
    server.dropConnections();
    await expect(inFlight).rejects.toMatchObject({ code: WebMessagingErrorCode.ConnectionLost, retryable: true });
    await until(() => session.state === 'open', 'the reconnection');
  });

  it('keeps trying with growing backoff while the server is down, then gives up', async () => {
    await start();
    const session = await open({ reconnect: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 4000 } });
    const delays: number[] = [];
    session.on('reconnecting', (event) => delays.push(event.delayMs));
    const closed = new Promise((resolve) => session.on('stateChange', (s) => s === 'closed' && resolve(s)));
    const messages = session.messages()[Symbol.asyncIterator]();
    await server.close();
    await closed;
    expect(delays).toEqual([500, 1000, 2000]);
    await expect(messages.next()).rejects.toMatchObject({ code: WebMessagingErrorCode.ConnectFailed });
    await expect(session.sendText('anyone?')).rejects.toMatchObject({ code: WebMessagingErrorCode.ConnectFailed });
  });

  it('stops reconnecting when the caller disconnects meanwhile', async () => {
    await start();
    const session = await open();
    const reconnecting = new Promise<void>((resolve) => session.once('reconnecting', () => resolve()));
    server.dropConnections();
    await reconnecting;
    session.disconnect();
    expect(session.state).toBe('closed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.connections).toBe(1);
    await expect(session.sendText('hello')).rejects.toMatchObject({ code: WebMessagingErrorCode.Closed });
  });

  it('resumes a session from a persisted token in a new client', async () => {
    await start();
    const first = await open();
    await first.sendText('remember me');
    const token = first.token;
    first.disconnect();

    const second = await open({ token });
    expect(second.token).toBe(token);
    expect(second.session.newSession).toBe(false);
    const history = [];
    for await (const message of second.history()) history.push(message.text);
    expect(history).toEqual(['remember me']);
  });

  it('surfaces session expiry: event, state, stream end, and refused sends', async () => {
    await start();
    const session = await open();
    const stream = session.messages()[Symbol.asyncIterator]();
    const expired = new Promise<void>((resolve) => session.once('sessionExpired', resolve));
    server.expireSession(session.token);
    await expired;
    expect(session.state).toBe('expired');
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    await expect(session.sendText('still there?')).rejects.toMatchObject({ code: WebMessagingErrorCode.SessionExpired });
  });

  it('maps server error codes (4011) to typed errors', async () => {
    await start({ maxTextLength: 10 });
    const session = await open();
    const error = await session.sendText('eleven char').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WebMessagingError', code: WebMessagingErrorCode.MessageTooLong, serverCode: 4011, retryable: false });
    expect((error as Error).message).toContain('4011');
  });

  it('sends an echo keep-alive at most once per 30 s', async () => {
    clock = new FakeClock('2026-03-01T12:00:00.000Z', { autoAdvance: false });
    await start();
    const session = await GuestSession.open({
      deploymentId: 'dep-1',
      webSocketUrl: server.webSocketUrl,
      clock,
      sleep: clock.sleep,
      keepAlive: { intervalMs: 5_000 }, // raised to the 30 s the protocol allows
    });
    sessions.push(session);
    await clock.advance(29_999);
    expect(server.frames('echo')).toHaveLength(0);
    await clock.advance(1);
    await until(() => server.frames('echo').length === 1, 'the first echo');
    expect(server.frames('echo')[0]).toMatchObject({ action: 'echo', token: session.token, message: { type: 'Text', text: 'ping' } });
    await until(() => session.inFlight === 0, 'the echo answer');
    expect(await session.echo()).toBe(false); // inside the cool-down: nothing sent
    await clock.advance(30_000);
    await until(() => server.frames('echo').length === 2, 'the second echo');
    await until(() => session.inFlight === 0, 'the echo answer');
    expect(server.frames('echo')).toHaveLength(2);
  });

  it('gets a guest JWT and pages through the history with it', async () => {
    await start();
    const session = await open();
    for (const text of ['one', 'two', 'three', 'four', 'five']) await session.sendText(text);
    const jwt = await session.getJwt();
    expect(jwt.jwt).toMatch(/^guest-jwt-/);
    expect(await session.getJwt()).toBe(jwt); // cached until a minute before exp
    const texts: Array<string | undefined> = [];
    for await (const message of session.history({ pageSize: 2 })) texts.push(message.text);
    expect(texts).toEqual(['five', 'four', 'three', 'two', 'one']);
    expect(server.frames('getJwt')).toHaveLength(1);
  });

  it('sends an Origin header with the history requests: the configured origin, else the API base URL\'s', async () => {
    await start();
    const seen: Array<Record<string, string>> = [];
    const historyFetch = async (_url: string, init: { headers: Record<string, string> }) => {
      seen.push(init.headers);
      return { status: 200, json: async () => ({ entities: [], pageSize: 25, pageNumber: 1, pageCount: 1 }) };
    };
    const configured = await open({ historyFetch, origin: 'https://shop.example' });
    for await (const message of configured.history()) void message;
    const defaulted = await open({ historyFetch });
    for await (const message of defaulted.history()) void message;
    expect(seen.map((h) => h['Origin'])).toEqual(['https://shop.example', new URL(defaulted.apiBaseUrl).origin]);
  });

  it('reports a refused history page as HISTORY_FAILED without leaking the JWT', async () => {
    await start();
    const session = await open({ historyFetch: async () => ({ status: 401, json: async () => ({}) }) });
    const jwt = (await session.getJwt()).jwt;
    const iterator = session.history()[Symbol.asyncIterator]();
    const error = await iterator.next().catch((e: unknown) => e as WebMessagingError);
    expect(error).toMatchObject({ code: WebMessagingErrorCode.HistoryFailed, retryable: false });
    expect((error as Error).message).toContain('401');
    expect((error as Error).message).not.toContain(jwt);
  });

  it('opens sessions through GuestSessionFactory with shared defaults', async () => {
    await start();
    const metrics = new InMemoryDeliveryMetrics();
    const factory = new GuestSessionFactory({ webSocketUrl: server.webSocketUrl, keepAlive: false }, { metrics });
    const session = await factory.open({ deploymentId: 'dep-9' });
    sessions.push(session);
    expect(server.frames('configureSession')[0]).toMatchObject({ deploymentId: 'dep-9' });
    expect(metrics.snapshot()['guest.configureSession']?.sent).toBe(1);
  });

  it('matches answers without tracingId to the oldest request they can answer', async () => {
    await start({ echoTracingId: false });
    const session = await open();
    const [a, jwt, b] = await Promise.all([session.sendText('a'), session.getJwt(), session.sendText('b')]);
    expect(a.text).toBe('a');
    expect(b.text).toBe('b');
    expect(jwt.jwt).toMatch(/^guest-jwt-/);
  });

  it('once the server echoes tracingIds, a frame without one is a push, not an answer', async () => {
    await start();
    const session = await open();
    await session.sendText('first'); // the server echoes tracingIds
    server.silentActions.add('onMessage');
    const pending = session.sendText('second');
    await until(() => server.frames('onMessage').length === 2, 'the second onMessage');
    // what another tab of the same session would receive: an Inbound echo without tracingId
    const seen: StructuredMessage[] = [];
    session.on('message', (m) => seen.push(m));
    server.broadcast(session.token, { type: 'message', class: 'StructuredMessage', code: 200, body: { id: 'other-tab', type: 'Text', text: 'from another tab', direction: 'Inbound' } });
    await until(() => seen.length === 1, 'the other tab push');
    expect(session.inFlight).toBe(1);
    server.dropConnections();
    await expect(pending).rejects.toMatchObject({ code: WebMessagingErrorCode.ConnectionLost });
  });

  it('closeSession tells the server, closes the socket and refuses later sends', async () => {
    await start();
    const session = await open();
    await session.closeSession();
    expect(server.frames('closeSession')).toEqual([expect.objectContaining({ closeAllConnections: false, token: session.token })]);
    expect(session.state).toBe('closed');
    await until(() => server.openSockets === 0, 'the socket to close');
    await expect(session.sendText('hello')).rejects.toMatchObject({ code: WebMessagingErrorCode.Closed });
  });

  it('fails open() with CONNECT_FAILED when nothing listens', async () => {
    await start();
    const url = server.webSocketUrl;
    await server.close();
    await expect(GuestSession.open({ deploymentId: 'd', webSocketUrl: url, keepAlive: false })).rejects.toMatchObject({
      code: WebMessagingErrorCode.ConnectFailed,
    });
  });

  it('delivers every structured push as a message event', async () => {
    await start();
    const session = await open();
    const seen: StructuredMessage[] = [];
    session.on('message', (m) => seen.push(m));
    server.pushAgentMessage(session.token, 'one');
    server.pushAgentMessage(session.token, 'two');
    await until(() => seen.length === 2, 'two pushes');
    expect(seen.map((m) => m.text)).toEqual(['one', 'two']);
  });
});
