import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import WebSocket, { type ClientOptions, type RawData } from 'ws';
import {
  backoffDelay,
  noopLogger,
  realSleep,
  resolveRetryPolicy,
  systemClock,
  type Clock,
  type GenesysLogger,
  type RandomSource,
  type Sleep,
} from '@gcm/genesys-auth';
import { DeliveryTracker, noopDeliveryMetrics, type DeliveryMetricsListener, type MessagingOperation } from '../metrics/delivery-metrics';
import type {
  ConnectionClosedEvent,
  GuestAction,
  GuestOutgoingMessage,
  GuestRequest,
  GuestServerFrame,
  JwtResponse,
  PresignedUrlResponse,
  SessionResponse,
  StructuredMessage,
  TooManyRequestsErrorMessage,
  UploadFailureEvent,
  UploadSuccessEvent,
  WebMessagingMessage,
} from '../models/web-messaging.model';
import { fetchUploadHttp, MediaUploadError, putUpload, type UploadHttp } from '../upload/upload-http';
import type { ContentPolicyOptions } from '../validation/content-policy';
import { MessageValidator, guestLimitsFromSession, type GuestSessionLimits } from '../validation/message-validator.service';
import { AsyncQueue } from './async-queue';
import { fetchGuestHistory, type HistoryFetch } from './guest-history';
import { guestApiBaseUrl, guestConnectUrl, guestWebSocketUrl } from './guest-url';
import { MessagePacer } from './message-pacer';
import { WebMessagingError, WebMessagingErrorCode } from './web-messaging.error';

/** The protocol allows one echo (health check) every 30 seconds. */
export const ECHO_COOLDOWN_MS = 30_000;

export type GuestSessionState = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'expired';

export interface GuestReconnectOptions {
  /** Reconnection attempts after a drop before giving up (default 8). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface GuestSessionOptions {
  deploymentId: string;
  /**
   * The guest socket, without query (`wss://webmessaging.{domain}/v1`; for the sandbox
   * `ws://127.0.0.1:PORT/v1`). Derived from `apiBaseUrl` when absent.
   */
  webSocketUrl?: string;
  /** The Genesys API base URL; used for the guest history and to derive `webSocketUrl`. */
  apiBaseUrl?: string;
  /**
   * Sent as the Origin header of the guest socket and of the history requests, as a browser
   * (and the Messenger Transport SDK) does; a deployment that restricts its allowed domains
   * refuses other origins, so set it to one of them. Default: the origin of `apiBaseUrl`.
   */
  origin?: string;
  application?: string;
  /** A token persisted from an earlier session to resume it; a new UUID when absent. */
  token?: string;
  /** Ask the server for a fresh conversation even when the token has one. */
  startNew?: boolean;
  journeyContext?: Record<string, unknown>;
  /** The guest request rate (default 2 per 1,000 ms, the server's limit). */
  rateLimit?: { maxPerWindow?: number; windowMs?: number };
  /** Echo keep-alive; `false` disables it. The interval is never below 30 s. */
  keepAlive?: false | { intervalMs?: number };
  reconnect?: false | GuestReconnectOptions;
  /** How many times a request refused with TooManyRequests is sent again (default 3). */
  maxRateLimitRetries?: number;
  /**
   * Watchdog for one answer from the server, on a real timer: it guards against a silent
   * server, it does not pace anything (default 30 s).
   */
  responseTimeoutMs?: number;
  validator?: MessageValidator;
  contentPolicy?: ContentPolicyOptions;
  metrics?: DeliveryMetricsListener;
  uploadHttp?: UploadHttp;
  historyFetch?: HistoryFetch;
  webSocketOptions?: ClientOptions;
  clock?: Clock;
  sleep?: Sleep;
  random?: RandomSource;
  logger?: GenesysLogger;
  newId?: () => string;
}

export interface GuestAttachmentFile {
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
}

export interface GuestMessage {
  text?: string;
  customAttributes?: Record<string, string>;
  attachment?: GuestAttachmentFile;
}

export interface GuestCallOptions {
  signal?: AbortSignal;
}

/** What the server allows this session, from its SessionResponse. */
export interface GuestLimits extends GuestSessionLimits {
  durationSeconds?: number;
  /** Epoch seconds. */
  expirationDate?: number;
}

export interface GuestSessionEvents {
  /** Every structured message the server pushes (agent, bot, and the guest's own echoes). */
  message: [StructuredMessage];
  stateChange: [GuestSessionState];
  reconnecting: [{ attempt: number; delayMs: number }];
  /** The session was configured again on a new socket (newSession false when resumed). */
  reconnected: [SessionResponse];
  rateLimited: [{ action: GuestAction; retryAfterMs: number }];
  sessionExpired: [];
  connectionClosed: [{ reason?: string }];
  /** Socket-level trouble that the session handles itself (logged, then reconnect). */
  socketError: [Error];
}

type Outcome =
  | { kind: 'ok'; frame: GuestServerFrame }
  | { kind: 'error'; error: Error }
  | { kind: 'rateLimited'; retryAfterMs: number }
  | { kind: 'notSent' };

interface PendingRequest {
  tracingId: string;
  action: GuestAction;
  accepts: (frame: GuestServerFrame) => boolean;
  settle: (outcome: Outcome) => void;
}

interface RequestSpec {
  action: GuestAction;
  build: (tracingId: string) => GuestRequest;
  accepts: (frame: GuestServerFrame) => boolean;
  signal?: AbortSignal;
  /** Sent while (re)configuring, before the session is open. */
  handshake?: boolean;
}

interface UploadWaiter {
  resolve: (event: UploadSuccessEvent) => void;
  reject: (error: Error) => void;
}

const isClass = (name: string) => (frame: GuestServerFrame) => frame.class === name;

/**
 * A guest of a web messaging deployment over the real Guest WebSocket
 * (`wss://webmessaging.{domain}/v1?deploymentId=…`, genesys-api.md §4).
 *
 * - `open()` connects and sends `configureSession`; `token` resumes a session later.
 * - Every request is paced to the server's 2 per second by queueing (never by failing), and
 *   a TooManyRequests answer pauses the queue for its `retryAfter` and sends again.
 * - Messages are validated against the session's limits before anything is sent.
 * - A dropped socket is reopened with full-jitter backoff and the session configured again
 *   with the same token; requests in flight at the drop fail with CONNECTION_LOST (they may
 *   have arrived), queued ones wait for the new socket.
 * - Agent messages arrive as `messages()` (AsyncIterable) and as 'message' events.
 */
export class GuestSession extends EventEmitter<GuestSessionEvents> {
  readonly deploymentId: string;
  readonly token: string;
  readonly webSocketUrl: string;
  readonly apiBaseUrl: string;
  /** The Origin header of the socket and the history requests. */
  readonly origin: string;
  private readonly validator: MessageValidator;
  private readonly pacer: MessagePacer;
  private readonly tracker: DeliveryTracker;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: RandomSource;
  private readonly logger: GenesysLogger;
  private readonly newId: () => string;
  private readonly uploadHttp: UploadHttp;
  private readonly responseTimeoutMs: number;
  private readonly lifecycle = new AbortController();
  private socket?: WebSocket;
  private currentState: GuestSessionState = 'connecting';
  private sessionResponse?: SessionResponse;
  private readonly pending: PendingRequest[] = [];
  private readonly uploads = new Map<string, UploadWaiter>();
  private readonly subscribers = new Set<{ queue: AsyncQueue<StructuredMessage>; includeOwn: boolean }>();
  private openWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private lastEchoAt = Number.NEGATIVE_INFINITY;
  private jwt?: JwtResponse;
  private keepAliveRunning = false;
  private terminalError?: WebMessagingError;
  private serverEchoesTracingId = false;

  private constructor(private readonly options: GuestSessionOptions) {
    super();
    if (!options.deploymentId) throw new RangeError('GuestSession needs a deploymentId');
    if (!options.webSocketUrl && !options.apiBaseUrl) throw new RangeError('GuestSession needs webSocketUrl or apiBaseUrl');
    this.deploymentId = options.deploymentId;
    this.webSocketUrl = options.webSocketUrl ?? guestWebSocketUrl(options.apiBaseUrl as string);
    this.apiBaseUrl = (options.apiBaseUrl ?? guestApiBaseUrl(this.webSocketUrl)).replace(/\/+$/, '');
    this.origin = options.origin ?? new URL(this.apiBaseUrl).origin;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? noopLogger;
    this.newId = options.newId ?? randomUUID;
    this.token = options.token ?? this.newId();
    this.uploadHttp = options.uploadHttp ?? fetchUploadHttp;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 30_000;
    this.validator = options.validator ?? new MessageValidator({ contentPolicy: options.contentPolicy });
    this.pacer = new MessagePacer({ ...options.rateLimit, clock: this.clock, sleep: this.sleep });
    this.tracker = new DeliveryTracker(options.metrics ?? noopDeliveryMetrics, this.clock, this.logger);
  }

  /** Connects and configures the session (new, or resumed when `token` is given). */
  static async open(options: GuestSessionOptions): Promise<GuestSession> {
    const session = new GuestSession(options);
    try {
      await session.tracker.track('guest.configureSession', {}, () => session.establish(options.startNew ?? false));
    } catch (error) {
      session.finish('closed');
      throw error;
    }
    return session;
  }

  get state(): GuestSessionState {
    return this.currentState;
  }

  /** The last SessionResponse (after each reconnection, the newest). */
  get session(): SessionResponse {
    if (!this.sessionResponse) throw new WebMessagingError({ code: WebMessagingErrorCode.ProtocolError, message: 'The session is not configured yet' });
    return this.sessionResponse;
  }

  /** allowedMedia, blockedExtensions, maxCustomDataBytes, durationSeconds and expirationDate of the session. */
  get limits(): GuestLimits {
    const session = this.session;
    return { ...guestLimitsFromSession(session), durationSeconds: session.durationSeconds, expirationDate: session.expirationDate };
  }

  /** Requests sent and still waiting for the server's answer. */
  get inFlight(): number {
    return this.pending.length;
  }

  /** Requests waiting for a send slot (the pacer's queue). */
  get queuedRequests(): number {
    return this.pacer.queued;
  }

  /** Sends a text message; resolves with the server's echo of it. */
  sendText(text: string, options: GuestCallOptions & { customAttributes?: Record<string, string> } = {}): Promise<StructuredMessage> {
    return this.sendMessage({ text, customAttributes: options.customAttributes }, options);
  }

  /** Uploads the file (onAttachment → PUT → UploadSuccessEvent), then sends it with optional text. */
  sendAttachment(file: GuestAttachmentFile, options: GuestCallOptions & { text?: string; customAttributes?: Record<string, string> } = {}) {
    return this.sendMessage({ text: options.text, customAttributes: options.customAttributes, attachment: file }, options);
  }

  /**
   * Validates the whole message against the session's limits (nothing is sent when it
   * fails), uploads the attachment if any, then sends `onMessage` and resolves with the echo.
   */
  async sendMessage(message: GuestMessage, options: GuestCallOptions = {}): Promise<StructuredMessage> {
    const operation: MessagingOperation = message.attachment ? 'guest.sendAttachment' : 'guest.sendText';
    const file = message.attachment;
    const violations = this.validator.checkGuestMessage(
      {
        text: message.text,
        customAttributes: message.customAttributes,
        attachment: file ? { fileName: file.fileName, mimeType: file.mimeType, sizeBytes: file.bytes?.byteLength ?? 0 } : undefined,
      },
      this.sessionResponse ? this.limits : {},
    );
    if (violations.length > 0) {
      this.tracker.rejected(operation, {}, violations);
      this.validator.assertValid(violations);
    }
    return this.tracker.track(
      operation,
      {},
      async () => {
        const attachmentId = file ? (await this.upload(file, options.signal)).attachmentId : undefined;
        const outgoing: GuestOutgoingMessage = { type: 'Text', text: message.text ?? '' };
        if (attachmentId) outgoing.content = [{ contentType: 'Attachment', attachment: { id: attachmentId } }];
        // inside the message: Genesys ignores the request-level channel.metadata (genesys-api.md §4)
        if (message.customAttributes) outgoing.channel = { metadata: { customAttributes: message.customAttributes } };
        const frame = await this.request({
          action: 'onMessage',
          build: (tracingId) => ({ action: 'onMessage', token: this.token, tracingId, message: outgoing }),
          accepts: (f) => f.class === 'StructuredMessage' && (f.body as StructuredMessage)?.direction !== 'Outbound',
          signal: options.signal,
        });
        return frame.body as StructuredMessage;
      },
      (echo) => ({ messageId: echo?.id }),
    );
  }

  /** The upload flow alone: onAttachment → PresignedUrlResponse → PUT → UploadSuccessEvent. */
  async uploadAttachment(file: GuestAttachmentFile, options: GuestCallOptions = {}): Promise<UploadSuccessEvent> {
    this.validator.validateAttachment({ fileName: file.fileName, mimeType: file.mimeType, sizeBytes: file.bytes?.byteLength ?? 0 }, this.limits);
    return this.upload(file, options.signal);
  }

  /** `getJwt`: the guest JWT for the REST endpoints (cached until a minute before `exp`). */
  async getJwt(options: GuestCallOptions = {}): Promise<JwtResponse> {
    if (this.jwt && this.jwt.exp * 1000 - 60_000 > this.clock.now()) return this.jwt;
    return this.tracker.track('guest.getJwt', {}, async () => {
      const frame = await this.request({
        action: 'getJwt',
        build: (tracingId) => ({ action: 'getJwt', token: this.token, tracingId }),
        accepts: isClass('JwtResponse'),
        signal: options.signal,
      });
      this.jwt = frame.body as JwtResponse;
      return this.jwt;
    });
  }

  /**
   * The conversation history as the guest sees it, message by message, through
   * `GET /api/v2/webmessaging/messages?pageSize&pageNumber` with the guest JWT (pages in the
   * order the server returns them: newest first on Genesys Cloud).
   */
  history(options: GuestCallOptions & { pageSize?: number } = {}): AsyncIterable<WebMessagingMessage> {
    return fetchGuestHistory({
      apiBaseUrl: this.apiBaseUrl,
      jwt: async () => (await this.getJwt(options)).jwt,
      pageSize: options.pageSize ?? 25,
      fetch: this.options.historyFetch,
      origin: this.origin,
      signal: options.signal,
      trackPage: (run) => this.tracker.track('guest.history', {}, run, (page) => ({ items: page.entities.length })),
    });
  }

  /**
   * Messages pushed by the server from now on, until the session ends: agent and bot
   * messages (direction Outbound), plus the guest's own echoes with `includeOwn`.
   */
  messages(options: { includeOwn?: boolean } = {}): AsyncIterable<StructuredMessage> {
    const subscriber = {
      includeOwn: options.includeOwn ?? false,
      queue: new AsyncQueue<StructuredMessage>(() => this.subscribers.delete(subscriber)),
    };
    if (this.currentState === 'closed' || this.currentState === 'expired') subscriber.queue.end();
    else this.subscribers.add(subscriber);
    return subscriber.queue;
  }

  /**
   * A health check (`echo`). The protocol allows one every 30 s: inside the cool-down
   * nothing is sent and it resolves false.
   */
  async echo(options: GuestCallOptions = {}): Promise<boolean> {
    if (this.clock.now() - this.lastEchoAt < ECHO_COOLDOWN_MS) return false;
    this.lastEchoAt = this.clock.now();
    await this.request({
      action: 'echo',
      build: (tracingId) => ({ action: 'echo', token: this.token, tracingId, message: { type: 'Text', text: 'ping' } }),
      accepts: (f) => f.class === 'StructuredMessage' && (f.body as StructuredMessage)?.direction !== 'Outbound',
      signal: options.signal,
    });
    return true;
  }

  /** Ends the session on the server (`closeSession`) and closes the socket. */
  async closeSession(options: { closeAllConnections?: boolean } & GuestCallOptions = {}): Promise<void> {
    if (this.currentState !== 'open') {
      this.finish('closed');
      return;
    }
    await this.tracker
      .track('guest.closeSession', {}, async () => {
        try {
          await this.request({
            action: 'closeSession',
            build: (tracingId) => ({ action: 'closeSession', token: this.token, tracingId, closeAllConnections: options.closeAllConnections ?? false }),
            accepts: (f) => f.code < 400 && (f.class === 'string' || f.class === 'ConnectionClosedEvent' || f.class === 'SessionResponse'),
            signal: options.signal,
          });
        } catch (error) {
          // the server closing the socket is how a close may be acknowledged
          if (!(error instanceof WebMessagingError && error.code === WebMessagingErrorCode.ConnectionLost)) throw error;
        }
      })
      .finally(() => this.finish('closed'));
  }

  /**
   * Closes the socket but leaves the session on the server: open a new GuestSession with
   * the same `token` to resume it.
   */
  disconnect(): void {
    this.finish('closed');
  }

  // ── connection ───────────────────────────────────────────────────────────

  private async establish(startNew: boolean): Promise<SessionResponse> {
    const socket = await this.openSocket();
    if (this.ended) {
      // closed by the caller while the socket was opening
      socket.terminate();
      throw this.endedError();
    }
    this.socket = socket;
    try {
      const frame = await this.request({
        action: 'configureSession',
        handshake: true,
        build: (tracingId) => ({
          action: 'configureSession',
          token: this.token,
          tracingId,
          deploymentId: this.deploymentId,
          ...(startNew ? { startNew: true } : {}),
          ...(this.options.journeyContext ? { journeyContext: this.options.journeyContext } : {}),
        }),
        accepts: isClass('SessionResponse'),
      });
      const session = frame.body as SessionResponse;
      if (session?.connected === false) {
        throw new WebMessagingError({ code: WebMessagingErrorCode.ConnectFailed, message: 'configureSession answered connected=false' });
      }
      if (this.ended) throw this.endedError();
      this.sessionResponse = session;
    } catch (error) {
      if (this.socket === socket) this.socket = undefined;
      socket.terminate();
      throw error;
    }
    this.setState('open');
    for (const waiter of this.openWaiters.splice(0)) waiter.resolve();
    this.startKeepAlive();
    return this.sessionResponse;
  }

  private openSocket(): Promise<WebSocket> {
    const url = guestConnectUrl(this.webSocketUrl, this.deploymentId, this.options.application);
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, {
        handshakeTimeout: this.responseTimeoutMs,
        ...(this.origin ? { origin: this.origin } : {}),
        ...this.options.webSocketOptions,
      });
      const onError = (error: Error) => {
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        reject(
          new WebMessagingError({
            code: WebMessagingErrorCode.ConnectFailed,
            message: `Could not open the web messaging socket at ${this.webSocketUrl}: ${error.message}`,
          }),
        );
      };
      socket.once('error', onError);
      socket.once('open', () => {
        socket.off('error', onError);
        socket.on('message', (data: RawData) => this.onFrame(socket, data));
        socket.on('error', (error: Error) => {
          this.logger.warn?.('Web messaging socket error', { message: error.message });
          this.emit('socketError', error);
        });
        socket.on('close', (code: number) => this.onSocketClose(socket, code));
        resolve(socket);
      });
    });
  }

  private onSocketClose(socket: WebSocket, code: number): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.failInFlight(
      new WebMessagingError({
        code: WebMessagingErrorCode.ConnectionLost,
        message: `The web messaging socket closed (${code}) before the server answered; the request may or may not have arrived.`,
      }),
    );
    if (this.currentState !== 'open') return; // handshakes and shutdowns handle their own failures
    if (this.options.reconnect === false) {
      this.finish('closed', new WebMessagingError({ code: WebMessagingErrorCode.ConnectionLost, message: `The web messaging socket closed (${code}) and reconnection is disabled.` }));
      return;
    }
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    this.setState('reconnecting');
    const settings = this.options.reconnect === false ? {} : (this.options.reconnect ?? {});
    const maxAttempts = settings.maxAttempts ?? 8;
    const policy = resolveRetryPolicy({ baseDelayMs: settings.baseDelayMs ?? 1_000, maxDelayMs: settings.maxDelayMs ?? 30_000 });
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const delayMs = backoffDelay(policy, attempt, this.random);
      this.emit('reconnecting', { attempt, delayMs });
      try {
        await this.sleep(delayMs, this.lifecycle.signal);
      } catch {
        return; // closed while waiting
      }
      if (this.currentState !== 'reconnecting') return;
      try {
        const session = await this.establish(false);
        this.emit('reconnected', session);
        return;
      } catch (error) {
        lastError = error;
        if (error instanceof WebMessagingError && (error.code === WebMessagingErrorCode.SessionExpired || error.code === WebMessagingErrorCode.SessionNotFound)) {
          this.expire(error);
          return;
        }
        this.logger.info?.('Web messaging reconnection failed', { attempt, message: (error as Error)?.message });
      }
    }
    this.finish(
      'closed',
      new WebMessagingError({
        code: WebMessagingErrorCode.ConnectFailed,
        message: `Gave up reconnecting the web messaging session after ${maxAttempts} attempts: ${(lastError as Error)?.message ?? 'unknown error'}`,
      }),
    );
  }

  private startKeepAlive(): void {
    if (this.options.keepAlive === false || this.keepAliveRunning) return;
    this.keepAliveRunning = true;
    const intervalMs = Math.max(ECHO_COOLDOWN_MS, this.options.keepAlive?.intervalMs ?? ECHO_COOLDOWN_MS);
    void (async () => {
      while (!this.lifecycle.signal.aborted) {
        try {
          await this.sleep(intervalMs, this.lifecycle.signal);
        } catch {
          return;
        }
        if (this.currentState === 'open') {
          await this.echo().catch((error) => this.logger.debug?.('Keep-alive echo failed', { message: (error as Error)?.message }));
        }
      }
    })();
  }

  // ── requests ─────────────────────────────────────────────────────────────

  private async request(spec: RequestSpec): Promise<GuestServerFrame> {
    let rateLimitRetries = 0;
    const maxRetries = this.options.maxRateLimitRetries ?? 3;
    for (;;) {
      if (!spec.handshake) await this.whenOpen(spec.signal);
      await this.pacer.acquire(spec.signal);
      if (!spec.handshake && this.currentState !== 'open') continue; // dropped while queued
      const outcome = await this.exchange(this.newId(), spec);
      switch (outcome.kind) {
        case 'ok':
          return outcome.frame;
        case 'error':
          throw outcome.error;
        case 'notSent':
          if (spec.handshake) {
            throw new WebMessagingError({ code: WebMessagingErrorCode.ConnectionLost, message: 'The socket closed before configureSession was sent' });
          }
          continue;
        case 'rateLimited':
          this.pacer.pauseUntil(this.clock.now() + outcome.retryAfterMs);
          this.emit('rateLimited', { action: spec.action, retryAfterMs: outcome.retryAfterMs });
          if (rateLimitRetries++ >= maxRetries) {
            throw new WebMessagingError({
              code: WebMessagingErrorCode.RequestRateTooHigh,
              serverCode: 4029,
              action: spec.action,
              message: `Web messaging ${spec.action} was refused as too frequent ${rateLimitRetries} times; retry after ${Math.ceil(outcome.retryAfterMs / 1000)} s.`,
            });
          }
      }
    }
  }

  private exchange(tracingId: string, spec: RequestSpec): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const socket = this.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN) {
        resolve({ kind: 'notSent' });
        return;
      }
      const onAbort = () => pending.settle({ kind: 'error', error: spec.signal?.reason ?? new Error('aborted') });
      const timer = setTimeout(
        () =>
          pending.settle({
            kind: 'error',
            error: new WebMessagingError({
              code: WebMessagingErrorCode.Timeout,
              action: spec.action,
              message: `The web messaging server did not answer ${spec.action} within ${this.responseTimeoutMs} ms.`,
            }),
          }),
        this.responseTimeoutMs,
      );
      timer.unref?.();
      const pending: PendingRequest = {
        tracingId,
        action: spec.action,
        accepts: spec.accepts,
        settle: (outcome) => {
          const index = this.pending.indexOf(pending);
          if (index < 0) return;
          this.pending.splice(index, 1);
          clearTimeout(timer);
          spec.signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      this.pending.push(pending);
      spec.signal?.addEventListener('abort', onAbort, { once: true });
      socket.send(JSON.stringify(spec.build(tracingId)), (error) => {
        if (error) pending.settle({ kind: 'notSent' });
      });
    });
  }

  private whenOpen(signal?: AbortSignal): Promise<void> {
    if (this.currentState === 'open') return Promise.resolve();
    if (this.currentState === 'closed' || this.currentState === 'expired') return Promise.reject(this.endedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        this.openWaiters = this.openWaiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.openWaiters.push(waiter);
    });
  }

  private async upload(file: GuestAttachmentFile, signal?: AbortSignal): Promise<UploadSuccessEvent> {
    const attachmentId = this.newId();
    const frame = await this.request({
      action: 'onAttachment',
      build: (tracingId) => ({
        action: 'onAttachment',
        token: this.token,
        tracingId,
        attachmentId,
        fileName: file.fileName,
        fileType: file.mimeType,
        fileSize: file.bytes.byteLength,
        errorsAsJson: true,
      }),
      accepts: isClass('PresignedUrlResponse'),
      signal,
    });
    const presigned = frame.body as PresignedUrlResponse;
    const id = presigned.attachmentId ?? attachmentId;
    // register before the PUT: the success event may overtake the PUT's own response
    const done = this.waitForUpload(id);
    // rejected early when the PUT fails; the PUT's own error is what the caller sees then
    done.catch(() => undefined);
    try {
      await putUpload(this.uploadHttp, presigned.url, file.bytes, presigned.headers ?? { 'Content-Type': file.mimeType }, signal);
    } catch (error) {
      this.uploads.get(id)?.reject(error as Error);
      throw error instanceof MediaUploadError
        ? new WebMessagingError({ code: WebMessagingErrorCode.UploadFailed, action: 'onAttachment', message: error.message })
        : error;
    }
    return done;
  }

  private waitForUpload(attachmentId: string): Promise<UploadSuccessEvent> {
    return new Promise<UploadSuccessEvent>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          waiter.reject(
            new WebMessagingError({
              code: WebMessagingErrorCode.Timeout,
              action: 'onAttachment',
              message: `No UploadSuccessEvent for attachment ${attachmentId} within ${this.responseTimeoutMs} ms of the upload.`,
            }),
          ),
        this.responseTimeoutMs,
      );
      timer.unref?.();
      const waiter: UploadWaiter = {
        resolve: (event) => {
          clearTimeout(timer);
          this.uploads.delete(attachmentId);
          resolve(event);
        },
        reject: (error) => {
          clearTimeout(timer);
          this.uploads.delete(attachmentId);
          reject(error);
        },
      };
      this.uploads.set(attachmentId, waiter);
    });
  }

  // ── frames from the server ───────────────────────────────────────────────

  private onFrame(socket: WebSocket, data: RawData): void {
    if (socket !== this.socket) return;
    let frame: GuestServerFrame;
    try {
      frame = JSON.parse(data.toString()) as GuestServerFrame;
    } catch {
      this.logger.warn?.('Ignored a web messaging frame that is not JSON');
      return;
    }
    if (!frame || typeof frame !== 'object' || typeof frame.class !== 'string') {
      this.logger.warn?.('Ignored a web messaging frame without a class');
      return;
    }
    switch (frame.class) {
      case 'TooManyRequestsErrorMessage': {
        const body = frame.body as TooManyRequestsErrorMessage;
        const retryAfterMs = Math.max(0, Number(body?.retryAfter ?? 1) * 1000);
        const pending = this.matchPending(frame, true);
        if (pending) pending.settle({ kind: 'rateLimited', retryAfterMs });
        else this.pacer.pauseUntil(this.clock.now() + retryAfterMs);
        return;
      }
      case 'SessionExpiredEvent':
        this.expire(new WebMessagingError({ code: WebMessagingErrorCode.SessionExpired, serverCode: 4006, message: 'The web messaging session expired.' }));
        return;
      case 'ConnectionClosedEvent':
      case 'SessionClearedEvent':
      case 'LogoutEvent': {
        const closing = this.pending.find((p) => p.action === 'closeSession');
        closing?.settle({ kind: 'ok', frame });
        const reason = (frame.body as ConnectionClosedEvent)?.reason ?? frame.class;
        this.emit('connectionClosed', { reason });
        this.finish('closed');
        return;
      }
      case 'UploadSuccessEvent': {
        const body = frame.body as UploadSuccessEvent;
        this.uploads.get(body?.attachmentId)?.resolve(body);
        return;
      }
      case 'UploadFailureEvent':
      case 'GenerateUrlError': {
        const body = frame.body as UploadFailureEvent;
        const error = WebMessagingError.fromServer('onAttachment', body?.errorCode ?? frame.code, body);
        const waiter = this.uploads.get(body?.attachmentId);
        if (waiter) waiter.reject(error);
        else this.matchPending(frame, true)?.settle({ kind: 'error', error });
        return;
      }
    }
    if (frame.code >= 400) {
      const pending = this.matchPending(frame, true);
      const error = WebMessagingError.fromServer(pending?.action ?? 'request', frame.code, frame.body);
      if (pending) pending.settle({ kind: 'error', error });
      else {
        this.logger.warn?.('Web messaging server error for no pending request', { code: frame.code });
        if (error.code === WebMessagingErrorCode.SessionExpired || error.code === WebMessagingErrorCode.SessionNotFound) this.expire(error);
      }
      return;
    }
    const pending = this.matchPending(frame, false);
    if (pending) {
      pending.settle({ kind: 'ok', frame });
      if (pending.action === 'echo') return;
    }
    if (frame.class === 'StructuredMessage') this.deliver(frame.body as StructuredMessage);
  }

  /**
   * The request a frame answers: by tracingId when the server echoes it; otherwise (servers
   * that do not) the oldest request that this kind of frame can answer.
   */
  private matchPending(frame: GuestServerFrame, failure: boolean): PendingRequest | undefined {
    if (frame.tracingId) {
      const byId = this.pending.find((p) => p.tracingId === frame.tracingId);
      if (byId) this.serverEchoesTracingId = true;
      if (byId && (failure || byId.accepts(frame))) return byId;
      return undefined;
    }
    // once the server has shown it echoes tracingIds, a frame without one is a push (e.g. the
    // echo of a message sent from another tab of the same session), not an answer
    if (this.serverEchoesTracingId) return undefined;
    return this.pending.find((p) => failure || p.accepts(frame));
  }

  private deliver(message: StructuredMessage): void {
    this.emit('message', message);
    const own = message?.direction === 'Inbound';
    for (const subscriber of this.subscribers) {
      if (!own || subscriber.includeOwn) subscriber.queue.push(message);
    }
  }

  // ── ending ───────────────────────────────────────────────────────────────

  private expire(error: WebMessagingError): void {
    if (this.currentState === 'expired' || this.currentState === 'closed') return;
    this.emit('sessionExpired');
    this.finish('expired', error);
  }

  private finish(state: 'closed' | 'expired', error?: WebMessagingError): void {
    if (this.currentState === 'closed' || this.currentState === 'expired') return;
    this.terminalError = error;
    this.setState(state);
    this.lifecycle.abort(this.endedError());
    const ended = this.endedError();
    for (const waiter of this.openWaiters.splice(0)) waiter.reject(ended);
    this.failInFlight(ended);
    // an expired or closed session ends the streams normally; only a lost connection is an error
    const streamError = error && [WebMessagingErrorCode.ConnectFailed, WebMessagingErrorCode.ConnectionLost].includes(error.code) ? error : undefined;
    for (const subscriber of this.subscribers) subscriber.queue.end(streamError);
    this.subscribers.clear();
    const socket = this.socket;
    this.socket = undefined;
    if (socket && (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)) socket.close(1000);
  }

  private failInFlight(error: Error): void {
    for (const pending of [...this.pending]) pending.settle({ kind: 'error', error });
    for (const waiter of [...this.uploads.values()]) waiter.reject(error);
  }

  private endedError(): WebMessagingError {
    if (this.terminalError) return this.terminalError;
    return this.currentState === 'expired'
      ? new WebMessagingError({ code: WebMessagingErrorCode.SessionExpired, message: 'The web messaging session expired; start a new one.' })
      : new WebMessagingError({ code: WebMessagingErrorCode.Closed, message: 'The web messaging session is closed.' });
  }

  private get ended(): boolean {
    return this.currentState === 'closed' || this.currentState === 'expired';
  }

  private setState(state: GuestSessionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('stateChange', state);
  }
}
