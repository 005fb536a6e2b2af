import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GuestServerFrame, SessionResponse, StructuredMessage } from '../lib/models/web-messaging.model';

export interface FakeGuestServerOptions {
  /** Time used for the rate-limit window and message timestamps (share the client's fake clock). */
  clock?: { now(): number };
  /** Requests allowed per window per session; 0 disables the limit (default 2 per 1,000 ms). */
  rateLimit?: { maxPerWindow: number; windowMs: number; retryAfterSeconds?: number };
  /** Echo the request's tracingId in answers, as Genesys does (default true). */
  echoTracingId?: boolean;
  session?: Partial<SessionResponse>;
  maxTextLength?: number;
}

export interface FakeArrival {
  action: string;
  /** Server clock time the frame arrived. */
  at: number;
  accepted: boolean;
}

export interface FakeGuestSession {
  token: string;
  deploymentId: string;
  messages: StructuredMessage[];
  customAttributes: Record<string, string>;
  jwt: string;
}

export interface FakeUpload {
  attachmentId: string;
  fileName: string;
  fileType: string;
  bytes?: Buffer;
  /** Headers of the PUT, to prove no Genesys bearer token was sent. */
  putHeaders?: IncomingMessage['headers'];
}

/**
 * A small real Web Messaging guest server (WebSocket at `/v1` plus the upload PUT and the
 * guest history REST endpoint) for tests of guest clients. It follows the real frame
 * shapes; the full emulator is `@gcm/genesys-sandbox`.
 */
export class FakeGuestServer {
  readonly received: Array<Record<string, unknown>> = [];
  /** Every client frame with its arrival time and whether the rate limit let it through. */
  readonly arrivals: FakeArrival[] = [];
  /** Actions the server receives but never answers (a hung server). */
  readonly silentActions = new Set<string>();
  /** When set, uploaded files are refused with an UploadFailureEvent (e.g. a virus scan). */
  uploadFailure?: { errorCode: number; errorMessage: string };
  readonly sessions = new Map<string, FakeGuestSession>();
  readonly uploads = new Map<string, FakeUpload>();
  connections = 0;
  rateLimited = 0;
  baseUrl = '';
  webSocketUrl = '';
  private server?: Server;
  private wss?: WebSocketServer;
  private readonly sockets = new Map<WebSocket, { token?: string; sent: number[] }>();
  private readonly clock: { now(): number };
  private seq = 0;

  constructor(private readonly options: FakeGuestServerOptions = {}) {
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  static async start(options?: FakeGuestServerOptions): Promise<FakeGuestServer> {
    const server = new FakeGuestServer(options);
    await server.listen();
    return server;
  }

  /** Client frames of one action, in arrival order. */
  frames(action: string): Array<Record<string, unknown>> {
    return this.received.filter((frame) => frame.action === action);
  }

  /** Pushes an agent message to every socket of the session. */
  pushAgentMessage(token: string, text: string): StructuredMessage {
    const session = this.requireSession(token);
    const message: StructuredMessage = {
      id: `agent-${++this.seq}`,
      type: 'Text',
      text,
      direction: 'Outbound',
      channel: { time: new Date(this.clock.now()).toISOString(), messageId: `agent-${this.seq}`, from: { nickname: 'Agent' } },
      content: [],
      metadata: {},
      originatingEntity: 'Human',
    };
    session.messages.push(message);
    this.broadcast(token, { type: 'message', class: 'StructuredMessage', code: 200, body: message });
    return message;
  }

  /** Sends a frame to every socket of a session, e.g. a SessionExpiredEvent. */
  broadcast(token: string, frame: GuestServerFrame): void {
    for (const [socket, state] of this.sockets) if (state.token === token) socket.send(JSON.stringify(frame));
  }

  expireSession(token: string): void {
    this.broadcast(token, { type: 'message', class: 'SessionExpiredEvent', code: 200, body: {} });
    this.sessions.delete(token);
  }

  /** Kills every open socket without a close handshake, as a network failure would. */
  dropConnections(): void {
    for (const socket of this.sockets.keys()) socket.terminate();
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets.keys()) socket.terminate();
    this.wss?.close();
    if (this.server) {
      this.server.closeAllConnections();
      this.server.close();
      await once(this.server, 'close').catch(() => undefined);
    }
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => void this.handleHttp(req, res));
    this.wss = new WebSocketServer({ server: this.server, path: '/v1' });
    this.wss.on('connection', (socket, req) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!url.searchParams.get('deploymentId')) {
        socket.close(1008, 'deploymentId is required');
        return;
      }
      this.connections++;
      this.sockets.set(socket, { sent: [] });
      socket.on('message', (data) => this.onFrame(socket, data.toString()));
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const port = (this.server.address() as AddressInfo).port;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.webSocketUrl = `ws://127.0.0.1:${port}/v1`;
  }

  private onFrame(socket: WebSocket, text: string): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(text);
    } catch {
      return this.send(socket, { type: 'response', class: 'string', code: 4020, body: 'Invalid JSON' });
    }
    this.received.push(frame);
    const tracingId = this.options.echoTracingId === false ? undefined : (frame.tracingId as string | undefined);
    const reply = (out: Pick<GuestServerFrame, 'type' | 'class' | 'code' | 'body'>) => this.send(socket, { ...out, ...(tracingId ? { tracingId } : {}) });
    const state = this.sockets.get(socket);
    if (!state) return;

    const limit = this.options.rateLimit ?? { maxPerWindow: 2, windowMs: 1000 };
    const arrival: FakeArrival = { action: String(frame.action), at: this.clock.now(), accepted: true };
    this.arrivals.push(arrival);
    if (limit.maxPerWindow > 0) {
      const now = arrival.at;
      state.sent = state.sent.filter((t) => now - t < limit.windowMs);
      if (state.sent.length >= limit.maxPerWindow) {
        arrival.accepted = false;
        this.rateLimited++;
        const retryAfter = limit.retryAfterSeconds ?? 1;
        return reply({
          type: 'response',
          class: 'TooManyRequestsErrorMessage',
          code: 429,
          body: { retryAfter, errorCode: 4029, errorMessage: 'Message rate too high for this session' },
        });
      }
      state.sent.push(now);
    }
    if (this.silentActions.has(String(frame.action))) return;

    const token = frame.token as string;
    if (frame.action === 'configureSession') {
      let session = this.sessions.get(token);
      const newSession = !session || frame.startNew === true;
      if (newSession) {
        session = { token, deploymentId: String(frame.deploymentId), messages: [], customAttributes: {}, jwt: `guest-jwt-${randomUUID()}` };
        this.sessions.set(token, session);
      }
      state.token = token;
      return reply({
        type: 'response',
        class: 'SessionResponse',
        code: 200,
        body: {
          connected: true,
          newSession,
          readOnly: false,
          maxCustomDataBytes: 100,
          allowedMedia: { inbound: { fileTypes: [{ type: 'image/png' }, { type: 'image/jpeg' }, { type: 'application/pdf' }], maxFileSizeKB: 10 } },
          blockedExtensions: ['.exe', '.bat'],
          durationSeconds: 259_200,
          expirationDate: Math.floor(this.clock.now() / 1000) + 259_200,
          ...this.options.session,
        },
      });
    }
    const session = state.token === token ? this.sessions.get(token) : undefined;
    if (!session) return reply({ type: 'response', class: 'string', code: 4007, body: 'Session not found' });

    switch (frame.action) {
      case 'onMessage': {
        const message = frame.message as { type: string; text?: string; content?: unknown[]; channel?: { metadata?: { customAttributes?: Record<string, string> } } };
        const max = this.options.maxTextLength ?? 2000;
        if ([...(message.text ?? '')].length > max) return reply({ type: 'response', class: 'string', code: 4011, body: `Message exceeds ${max} characters` });
        // inside the message only: Genesys ignores the deprecated request-level channel.metadata
        const attributes = message.channel?.metadata?.customAttributes;
        if (attributes) Object.assign(session.customAttributes, attributes);
        const echo: StructuredMessage = {
          id: `guest-${++this.seq}`,
          type: message.type,
          text: message.text,
          direction: 'Inbound',
          channel: { time: new Date(this.clock.now()).toISOString(), messageId: `guest-${this.seq}` },
          content: (message.content ?? []).map((c) => {
            const id = (c as { attachment: { id: string } }).attachment.id;
            const upload = this.uploads.get(id);
            return { contentType: 'Attachment', attachment: { id, filename: upload?.fileName, mime: upload?.fileType, url: `${this.baseUrl}/download/${id}` } };
          }),
          metadata: attributes ? { customAttributes: JSON.stringify(attributes) } : {},
        };
        session.messages.push(echo);
        return reply({ type: 'message', class: 'StructuredMessage', code: 200, body: echo });
      }
      case 'echo':
        return reply({ type: 'message', class: 'StructuredMessage', code: 200, body: { id: 'echo', type: 'Text', text: 'ping', direction: 'Inbound' } });
      case 'getJwt':
        return reply({ type: 'response', class: 'JwtResponse', code: 200, body: { jwt: session.jwt, exp: Math.floor(this.clock.now() / 1000) + 3600 } });
      case 'onAttachment': {
        const attachmentId = String(frame.attachmentId ?? randomUUID());
        this.uploads.set(attachmentId, { attachmentId, fileName: String(frame.fileName), fileType: String(frame.fileType) });
        return reply({
          type: 'response',
          class: 'PresignedUrlResponse',
          code: 200,
          body: {
            attachmentId,
            url: `${this.baseUrl}/upload/${attachmentId}?token=${encodeURIComponent(token)}&X-Amz-Signature=fake`,
            headers: { 'Content-Type': String(frame.fileType), 'x-amz-tagging': 'abc=123' },
            fileName: frame.fileName,
            fileSize: frame.fileSize,
            fileType: frame.fileType,
          },
        });
      }
      case 'closeSession':
        reply({ type: 'message', class: 'ConnectionClosedEvent', code: 200, body: {} });
        this.sessions.delete(token);
        socket.close(1000);
        return;
      default:
        return reply({ type: 'response', class: 'string', code: 4020, body: `Unknown action ${String(frame.action)}` });
    }
  }

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upload = url.pathname.match(/^\/upload\/([^/]+)$/);
    if (req.method === 'PUT' && upload) {
      const record = this.uploads.get(upload[1]);
      if (!record) return this.json(res, 404, { message: 'no such upload' });
      record.bytes = Buffer.concat(chunks);
      record.putHeaders = req.headers;
      res.writeHead(200).end();
      const token = url.searchParams.get('token') ?? '';
      if (this.uploadFailure) {
        this.broadcast(token, {
          type: 'message',
          class: 'UploadFailureEvent',
          code: 200,
          body: { attachmentId: record.attachmentId, ...this.uploadFailure, timestamp: new Date(this.clock.now()).toISOString() },
        });
        return;
      }
      this.broadcast(token, {
        type: 'message',
        class: 'UploadSuccessEvent',
        code: 200,
        body: {
          attachmentId: record.attachmentId,
          downloadUrl: `${this.baseUrl}/download/${record.attachmentId}`,
          timestamp: new Date(this.clock.now()).toISOString(),
          sha256: createHash('sha256').update(record.bytes).digest('hex'),
        },
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/v2/webmessaging/messages') {
      const jwt = (req.headers.authorization ?? '').replace(/^bearer /i, '');
      const session = [...this.sessions.values()].find((s) => s.jwt === jwt);
      if (!session) return this.json(res, 401, { message: 'bad guest jwt', code: 'bad.credentials', status: 401 });
      const pageSize = Number(url.searchParams.get('pageSize') ?? 25);
      const pageNumber = Number(url.searchParams.get('pageNumber') ?? 1);
      const newestFirst = [...session.messages].reverse();
      const entities = newestFirst.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      return this.json(res, 200, { entities, pageSize, pageNumber, total: newestFirst.length, pageCount: Math.ceil(newestFirst.length / pageSize) });
    }
    this.json(res, 404, { message: 'not found' });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private send(socket: WebSocket, frame: GuestServerFrame): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  }

  private requireSession(token: string): FakeGuestSession {
    const session = this.sessions.get(token);
    if (!session) throw new Error(`FakeGuestServer has no session for that token`);
    return session;
  }
}
