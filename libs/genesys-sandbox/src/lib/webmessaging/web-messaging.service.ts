import { isoString } from '../clock/sandbox-clock';
import { SandboxTimers } from '../clock/sandbox-timers';
import { AttachmentRecord, ConversationRecord, MessageRecord } from '../data/conversation-record';
import { agentLine } from '../data/message-text';
import { ConversationChange, SandboxWorld, UploadRecord } from '../data/sandbox-world';
import { SeededRandom } from '../random/seeded-random';
import { renderGuestMessage } from '../render/guest-message.mapper';
import type { ResolvedWebMessagingOptions } from '../sandbox-options';
import { SandboxStats } from '../stats/sandbox-stats';
import { errorFrame, GuestErrorCode, GuestFrameError, GuestServerFrame, messageFrame, responseFrame } from './guest-frames';
import { GuestJwtClaims, GuestJwtSigner } from './guest-jwt';
import { GuestConnection, GuestSession, GuestSessionSummary } from './guest-session';

export interface WebMessagingDeps {
  world: SandboxWorld;
  timers: SandboxTimers;
  stats: SandboxStats;
  options: ResolvedWebMessagingOptions;
  /** Delay of the simulated agent's reply; false: no simulated agent. */
  agentReplyMs: number | false;
  apiBaseUrl: () => string;
  /** Unexpected failures while handling a frame (answered with code 5000). */
  onError: (error: unknown) => void;
}

type Frame = Record<string, unknown>;

const RATE_WINDOW_MS = 1000;
/** Guests prefix their custom attributes like this in participant data. */
const CUSTOM_ATTRIBUTE_PREFIX = 'context.';

/**
 * The web messaging guest protocol: sessions by token, the actions of the Guest WebSocket,
 * the simulated agent, and the guest's view of its conversation. Framework-free: the
 * gateway hands it connections and raw frames; the world is the only state it shares.
 */
export class WebMessagingService {
  readonly jwt: GuestJwtSigner;
  private readonly byToken = new Map<string, GuestSession>();
  private readonly byId = new Map<string, GuestSession>();
  private readonly byConversation = new Map<string, GuestSession>();
  private readonly uploadOwner = new Map<string, GuestSession>();
  private readonly disconnectAnnounced = new Set<string>();
  private agentReplies = 0;
  private readonly cancelReplies = new Set<() => void>();

  constructor(private readonly deps: WebMessagingDeps) {
    this.jwt = new GuestJwtSigner(deps.world.config.seed);
    deps.world.on('conversation.changed', (change) => this.onConversationChanged(change));
    deps.world.on('upload.completed', (upload) => this.onUploadCompleted(upload));
  }

  // ---- frames ----------------------------------------------------------------------

  /** Handles one client frame (text as received). */
  handleFrame(connection: GuestConnection, raw: string): void {
    this.deps.stats.recordSocket('guest', 'framesIn');
    let frame: Frame;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      frame = parsed as Frame;
    } catch {
      this.fail(connection, new GuestFrameError(GuestErrorCode.BadRequest, 'Request failed: the frame is not a JSON object.'));
      return;
    }
    const tracingId = typeof frame.tracingId === 'string' ? frame.tracingId : undefined;
    try {
      this.dispatch(connection, frame, tracingId);
    } catch (error) {
      if (!(error instanceof GuestFrameError)) {
        this.deps.onError(error);
        this.deps.stats.recordGuestError(5000);
        this.send(connection, responseFrame('string', 'Request failed.', tracingId, 5000));
        return;
      }
      if (frame.action === 'onAttachment' && frame.errorsAsJson === true && isUploadError(error.code)) {
        // clients that ask for JSON errors get the upload refusal as a GenerateUrlError
        this.deps.stats.recordGuestError(error.code);
        this.send(connection, messageFrame('GenerateUrlError', {
          attachmentId: typeof frame.attachmentId === 'string' ? frame.attachmentId : undefined,
          errorCode: error.code,
          errorMessage: error.message,
        }, tracingId));
        return;
      }
      this.fail(connection, error, tracingId);
    }
  }

  /** A socket went away (closed, dropped or terminated). */
  disconnected(connection: GuestConnection): void {
    connection.session?.connections.delete(connection);
  }

  private dispatch(connection: GuestConnection, frame: Frame, tracingId?: string): void {
    const action = frame.action;
    if (typeof action !== 'string' || action.length === 0) {
      throw new GuestFrameError(GuestErrorCode.MissingParameter, 'Missing parameter: action.');
    }
    if (action === 'configureSession') return this.configureSession(connection, frame, tracingId);
    if (action === 'configureAuthenticatedSession') {
      throw new GuestFrameError(GuestErrorCode.Forbidden, 'Authenticated sessions are not enabled on this deployment.');
    }
    const session = this.sessionFor(connection, frame);
    switch (action) {
      case 'onMessage':
        return this.onMessage(connection, session, frame, tracingId);
      case 'onAttachment':
        return this.onAttachment(connection, session, frame, tracingId);
      case 'echo': {
        const message = (frame.message ?? {}) as Frame;
        const text = typeof message.text === 'string' ? message.text : 'ping';
        return this.send(connection, responseFrame('StructuredMessage', { id: this.deps.world.ids.uuid('guest-echo'), type: 'Text', text, direction: 'Inbound' }, tracingId));
      }
      case 'getJwt':
        return this.send(connection, responseFrame('JwtResponse', this.issueJwt(session), tracingId));
      case 'getConfiguration':
        return this.send(connection, responseFrame('DeploymentConfig', this.deploymentConfig(session.deploymentId), tracingId));
      case 'getAttachment': {
        const upload = this.requireUpload(session, frame);
        return this.send(connection, responseFrame('PresignedUrlResponse', {
          attachmentId: upload.id,
          url: this.downloadUrl(upload),
          fileName: upload.fileName,
          fileSize: upload.contentLengthBytes,
          fileType: upload.mime,
        }, tracingId));
      }
      case 'deleteAttachment': {
        const upload = this.requireUpload(session, frame);
        session.uploads.delete(upload.id);
        return this.send(connection, responseFrame('AttachmentDeletedResponse', { attachmentId: upload.id }, tracingId));
      }
      case 'closeSession':
        return this.closeSession(connection, session, frame.closeAllConnections === true, tracingId);
      default:
        throw new GuestFrameError(GuestErrorCode.BadRequest, `Request failed: unknown action ${action}.`);
    }
  }

  private configureSession(connection: GuestConnection, frame: Frame, tracingId?: string): void {
    const token = frame.token;
    if (typeof token !== 'string' || token.length === 0) throw new GuestFrameError(GuestErrorCode.MissingParameter, 'Missing parameter: token.');
    if (token.length > 2048) throw new GuestFrameError(GuestErrorCode.BadRequest, 'The token is longer than 2048 characters.');
    const deploymentId = typeof frame.deploymentId === 'string' && frame.deploymentId ? frame.deploymentId : connection.urlDeploymentId;
    if (!deploymentId) throw new GuestFrameError(GuestErrorCode.MissingParameter, 'Missing parameter: deploymentId.');
    if (!this.deps.world.catalog.webDeployments.some((d) => d.id === deploymentId)) {
      throw new GuestFrameError(GuestErrorCode.Forbidden, `Deployment ${deploymentId} was not found or is not active; check the deploymentId.`);
    }
    let session = this.byToken.get(token);
    if (session && session.deploymentId !== deploymentId) {
      throw new GuestFrameError(GuestErrorCode.BadRequest, 'This token belongs to a session of another deployment; use a new token.');
    }
    const startNew = frame.startNew === true;
    if (session?.expired && !startNew) {
      throw new GuestFrameError(GuestErrorCode.SessionExpired, 'The session has expired; configure a new session (startNew) or use a new token.');
    }
    let newSession = false;
    if (!session || startNew) {
      if (session) this.retire(session);
      session = this.createSession(token, deploymentId);
      newSession = true;
    }
    if (connection.session && connection.session !== session) connection.session.connections.delete(connection);
    connection.session = session;
    session.connections.add(connection);
    const o = this.deps.options;
    this.send(connection, responseFrame('SessionResponse', {
      connected: true,
      newSession,
      readOnly: false,
      allowedMedia: { inbound: { fileTypes: o.allowedFileTypes.map((type) => ({ type })), maxFileSizeKB: o.maxFileSizeKB } },
      blockedExtensions: o.blockedExtensions,
      maxCustomDataBytes: o.maxCustomDataBytes,
      durationSeconds: o.sessionDurationSeconds,
      expirationDate: Math.floor(session.expiresAt / 1000),
    }, tracingId));
  }

  private onMessage(connection: GuestConnection, session: GuestSession, frame: Frame, tracingId?: string): void {
    this.checkRate(session);
    const message = frame.message;
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      throw new GuestFrameError(GuestErrorCode.MissingParameter, 'Missing parameter: message.');
    }
    const m = message as Frame;
    const type = m.type ?? 'Text';
    if (type !== 'Text' && type !== 'Event' && type !== 'Structured') {
      throw new GuestFrameError(GuestErrorCode.BadRequest, `Message type ${String(type)} is not supported; use Text or Event.`);
    }
    // custom attributes travel inside the message (message.channel.metadata.customAttributes); the
    // request-level channel.metadata is deprecated and ignored by Genesys from 2026-06-05, so here too
    const attributes = customAttributesOf(m);
    if (frame.channel !== undefined) this.deps.stats.recordDeprecatedUsage('webmessaging.channel.metadata');
    if (attributes) {
      const bytes = Buffer.byteLength(JSON.stringify(attributes), 'utf8');
      if (bytes > this.deps.options.maxCustomDataBytes) {
        throw new GuestFrameError(
          GuestErrorCode.CustomAttributesTooLarge,
          `Custom Attributes in channel metadata is larger than ${this.deps.options.maxCustomDataBytes} bytes`,
        );
      }
    }
    if (type === 'Event') {
      const events = Array.isArray(m.events) ? m.events : [];
      if (events.length === 0) throw new GuestFrameError(GuestErrorCode.MissingParameter, 'Missing parameter: message.events.');
      // events (typing, presence) are acknowledged, not stored as conversation messages
      return this.send(connection, messageFrame('StructuredMessage', {
        id: this.deps.world.ids.uuid('guest-event'),
        channel: { time: isoString(this.deps.world.clock.now()), type: 'Private' },
        type: 'Event',
        direction: 'Inbound',
        events,
      }, tracingId));
    }
    const text = typeof m.text === 'string' ? m.text : undefined;
    if (text !== undefined) {
      const length = [...text].length;
      if (length > this.deps.options.maxTextLength) {
        throw new GuestFrameError(GuestErrorCode.MessageTooLong, `Message exceeded the maximum length of ${this.deps.options.maxTextLength} characters (got ${length}).`);
      }
    }
    const attachments = this.attachmentsOf(session, m.content);
    if (!text && attachments.length === 0) throw new GuestFrameError(GuestErrorCode.MissingParameter, 'Missing parameter: message.text or message.content.');
    if (attributes) Object.assign(session.customAttributes, attributes);
    const { world } = this.deps;
    const { conversation, message: record } = world.receiveInbound({
      kind: 'webmessaging',
      channelId: session.deploymentId,
      from: session.customer,
      time: world.clock.now(),
      text,
      attachments,
      attributes: attributes ? prefixed(attributes) : undefined,
    });
    this.track(session, conversation.id);
    const echo = messageFrame('StructuredMessage', this.render(conversation, record), tracingId);
    // every tab of the session sees the message; only the sender's copy answers its request
    for (const other of session.connections) this.send(other, other === connection ? echo : { ...echo, tracingId: undefined });
    this.scheduleAgentReply(conversation.id);
  }

  private onAttachment(connection: GuestConnection, session: GuestSession, frame: Frame, tracingId?: string): void {
    const fileName = frame.fileName;
    const fileType = frame.fileType;
    if (typeof fileName !== 'string' || fileName.trim().length === 0) throw new GuestFrameError(GuestErrorCode.FileNameInvalid, 'Missing or empty fileName.');
    if (typeof fileType !== 'string' || fileType.length === 0) throw new GuestFrameError(GuestErrorCode.MissingParameter, 'Missing parameter: fileType.');
    const o = this.deps.options;
    const extension = extensionOf(fileName);
    if (extension && o.blockedExtensions.includes(extension)) {
      throw new GuestFrameError(GuestErrorCode.FileTypeInvalid, `Files with the extension ${extension} are not allowed.`);
    }
    if (!o.allowedFileTypes.some((allowed) => mimeMatches(allowed, fileType))) {
      throw new GuestFrameError(GuestErrorCode.FileTypeInvalid, `File type ${fileType} is not allowed; allowed types: ${o.allowedFileTypes.join(', ')}.`);
    }
    const fileSize = frame.fileSize;
    if (fileSize !== undefined && (typeof fileSize !== 'number' || !Number.isInteger(fileSize) || fileSize < 0)) {
      throw new GuestFrameError(GuestErrorCode.FileSizeInvalid, 'fileSize must be a non-negative integer number of bytes.');
    }
    if (typeof fileSize === 'number' && fileSize > o.maxFileSizeKB * 1024) {
      throw new GuestFrameError(GuestErrorCode.FileSizeInvalid, `The file is ${fileSize} bytes; at most ${o.maxFileSizeKB} KB can be uploaded.`);
    }
    const requestedId = typeof frame.attachmentId === 'string' && frame.attachmentId.length > 0 ? frame.attachmentId : undefined;
    const { world } = this.deps;
    const attachmentId = requestedId ?? world.ids.uuid('guest-attachment');
    if (world.upload(attachmentId)) throw new GuestFrameError(GuestErrorCode.BadRequest, `Attachment ${attachmentId} already exists; use a new attachmentId.`);
    const upload = world.createGuestUpload(attachmentId, fileName, typeof fileSize === 'number' ? fileSize : -1, fileType);
    session.uploads.add(upload.id);
    this.uploadOwner.set(upload.id, session);
    this.send(connection, responseFrame('PresignedUrlResponse', {
      attachmentId: upload.id,
      headers: { 'Content-Type': fileType },
      url: `${this.deps.apiBaseUrl()}/uploads/${upload.id}`,
      fileName,
      fileSize: typeof fileSize === 'number' ? fileSize : undefined,
      fileType,
    }, tracingId));
  }

  private closeSession(connection: GuestConnection, session: GuestSession, all: boolean, tracingId?: string): void {
    const targets = all ? [...session.connections] : [connection];
    for (const target of targets) {
      this.send(target, messageFrame('ConnectionClosedEvent', {}, target === connection ? tracingId : undefined));
      session.connections.delete(target);
      target.session = undefined;
      target.close('closeSession');
    }
  }

  // ---- REST side -------------------------------------------------------------------

  /** The session a guest JWT stands for, or undefined when the token is forged, expired or its session gone. */
  sessionForJwt(jwt: string): GuestSession | undefined {
    const claims = this.jwt.verify(jwt);
    if (!claims || claims.exp * 1000 <= this.deps.world.clock.now()) return undefined;
    const session = this.byId.get(claims.sub);
    return session && !session.expired ? session : undefined;
  }

  /** Every message of the session's conversations, newest first, as WebMessagingMessage. */
  history(session: GuestSession): Array<Record<string, unknown>> {
    const out: Array<{ at: number; seq: number; body: Record<string, unknown> }> = [];
    let seq = 0;
    for (const id of session.conversationIds) {
      const conversation = this.deps.world.conversation(id);
      if (!conversation) continue;
      for (const message of conversation.messages) out.push({ at: message.timestamp, seq: seq++, body: historyMessage(this.render(conversation, message)) });
    }
    out.sort((a, b) => b.at - a.at || b.seq - a.seq);
    return out.map((entry) => entry.body);
  }

  deploymentConfig(deploymentId: string): Record<string, unknown> {
    const base = this.deps.apiBaseUrl();
    const o = this.deps.options;
    return {
      id: deploymentId,
      version: '1',
      languages: ['en-us'],
      defaultLanguage: 'en-us',
      apiEndpoint: base,
      messenger: {
        enabled: true,
        apps: {
          conversations: {
            messagingEndpoint: `${base.replace(/^http/, 'ws')}/v1`,
            showAgentTypingIndicator: false,
            showUserTypingIndicator: false,
            autoStart: { enabled: false },
            conversationDisconnect: { enabled: true, type: 'Send' },
            conversationClear: { enabled: false },
          },
        },
        styles: { primaryColor: '#ff4f1f' },
        launcherButton: { visibility: 'On' },
        fileUpload: { enableAttachments: true, modes: [{ fileTypes: o.allowedFileTypes, maxFileSizeKB: o.maxFileSizeKB }] },
      },
      journeyEvents: { enabled: false },
      status: 'Active',
      auth: { enabled: false, allowSessionUpgrade: false },
    };
  }

  // ---- admin / truth ---------------------------------------------------------------

  sessions(): GuestSessionSummary[] {
    return [...this.byId.values()].map((s) => this.summary(s));
  }

  session(id: string): GuestSessionSummary | undefined {
    const session = this.byId.get(id);
    return session && this.summary(session);
  }

  /** The session a guest token opened (for tests that hold the token). */
  sessionIdForToken(token: string): string | undefined {
    return this.byToken.get(token)?.id;
  }

  /** Every connection of the session (or all sessions), for the gateway to drop. */
  connections(sessionId?: string): GuestConnection[] {
    const sessions = sessionId === undefined ? [...this.byId.values()] : [this.byId.get(sessionId)].filter((s): s is GuestSession => !!s);
    return sessions.flatMap((s) => [...s.connections]);
  }

  /** Ends a session now, as its expiry would (SessionExpiredEvent to its sockets). */
  expire(sessionId: string): boolean {
    const session = this.byId.get(sessionId);
    if (!session || session.expired) return false;
    this.expireSession(session);
    return true;
  }

  close(): void {
    for (const cancel of [...this.cancelReplies]) cancel();
    for (const session of this.byId.values()) session.cancelExpiry?.();
  }

  // ---- internals -------------------------------------------------------------------

  private sessionFor(connection: GuestConnection, frame: Frame): GuestSession {
    const token = frame.token;
    if (typeof token !== 'string' || token.length === 0) throw new GuestFrameError(GuestErrorCode.MissingParameter, 'Missing parameter: token.');
    const session = connection.session;
    if (!session || session.token !== token) {
      const known = this.byToken.get(token);
      if (known?.expired) throw new GuestFrameError(GuestErrorCode.SessionExpired, 'The session has expired.');
      throw new GuestFrameError(GuestErrorCode.SessionNotFound, 'Session not found: send configureSession with this token on this connection first.');
    }
    if (session.expired) throw new GuestFrameError(GuestErrorCode.SessionExpired, 'The session has expired.');
    return session;
  }

  private createSession(token: string, deploymentId: string): GuestSession {
    const { world, timers, options } = this.deps;
    const now = world.clock.now();
    const id = world.ids.uuid('guest-session');
    const session: GuestSession = {
      id,
      token,
      deploymentId,
      customer: { id: world.ids.uuid('guest-customer'), idType: 'Opaque', firstName: '', lastName: '', nickname: 'Guest' },
      startedAt: now,
      expiresAt: now + options.sessionDurationSeconds * 1000,
      expired: false,
      conversationIds: [],
      connections: new Set(),
      recentMessages: [],
      uploads: new Set(),
      customAttributes: {},
    };
    session.cancelExpiry = timers.at(session.expiresAt, () => this.expireSession(session));
    this.byToken.set(token, session);
    this.byId.set(id, session);
    return session;
  }

  /** A session replaced by startNew: its token now names the new one. */
  private retire(session: GuestSession): void {
    session.cancelExpiry?.();
    session.expired = true;
    for (const connection of session.connections) connection.session = undefined;
    session.connections.clear();
  }

  private expireSession(session: GuestSession): void {
    session.expired = true;
    session.cancelExpiry?.();
    for (const connection of session.connections) this.send(connection, messageFrame('SessionExpiredEvent', {}));
  }

  private checkRate(session: GuestSession): void {
    const now = this.deps.world.clock.now();
    session.recentMessages = session.recentMessages.filter((t) => now - t < RATE_WINDOW_MS);
    if (session.recentMessages.length >= this.deps.options.messagesPerSecond) {
      const retryAfter = Math.max(1, Math.ceil((session.recentMessages[0] + RATE_WINDOW_MS - now) / 1000));
      throw new GuestFrameError(GuestErrorCode.RequestRateTooHigh, 'Message rate too high for this session', retryAfter);
    }
    session.recentMessages.push(now);
  }

  private attachmentsOf(session: GuestSession, content: unknown): AttachmentRecord[] {
    if (content === undefined || content === null) return [];
    if (!Array.isArray(content)) throw new GuestFrameError(GuestErrorCode.BadRequest, 'message.content must be an array.');
    return content.map((item) => {
      const attachment = (item as Frame)?.attachment as Frame | undefined;
      const id = attachment?.id;
      if (typeof id !== 'string' || id.length === 0) throw new GuestFrameError(GuestErrorCode.MissingParameter, 'Missing parameter: content[].attachment.id.');
      const upload = session.uploads.has(id) ? this.deps.world.upload(id) : undefined;
      if (!upload) throw new GuestFrameError(GuestErrorCode.AttachmentNotFound, `Attachment ${id} was not found in this session.`);
      if (!upload.bytes) throw new GuestFrameError(GuestErrorCode.AttachmentNotUploaded, `Attachment ${id} was not uploaded yet: PUT the file to its URL first.`);
      return this.deps.world.attachmentOf(upload);
    });
  }

  private requireUpload(session: GuestSession, frame: Frame): UploadRecord {
    const id = frame.attachmentId;
    if (typeof id !== 'string' || id.length === 0) throw new GuestFrameError(GuestErrorCode.MissingParameter, 'Missing parameter: attachmentId.');
    const upload = session.uploads.has(id) ? this.deps.world.upload(id) : undefined;
    if (!upload) throw new GuestFrameError(GuestErrorCode.AttachmentNotFound, `Attachment ${id} was not found in this session.`);
    return upload;
  }

  private issueJwt(session: GuestSession): { jwt: string; exp: number } {
    const now = Math.floor(this.deps.world.clock.now() / 1000);
    const claims: GuestJwtClaims = {
      sub: session.id,
      deploymentId: session.deploymentId,
      jti: this.deps.world.ids.uuid('guest-jwt'),
      iat: now,
      exp: now + this.deps.options.jwtLifetimeSeconds,
    };
    return { jwt: this.jwt.sign(claims), exp: claims.exp };
  }

  private track(session: GuestSession, conversationId: string): void {
    if (!session.conversationIds.includes(conversationId)) session.conversationIds.push(conversationId);
    this.byConversation.set(conversationId, session);
  }

  private scheduleAgentReply(conversationId: string): void {
    const delay = this.deps.agentReplyMs;
    if (delay === false) return;
    const cancel = this.deps.timers.after(delay, () => {
      this.cancelReplies.delete(cancel);
      this.agentReply(conversationId);
    });
    this.cancelReplies.add(cancel);
  }

  /** The simulated agent: ACD hands the conversation to an agent, who answers with a canned line. */
  private agentReply(conversationId: string): void {
    const { world } = this.deps;
    const conversation = world.conversation(conversationId);
    if (!conversation || conversation.endTime !== undefined) return;
    const n = this.agentReplies++;
    const rng = SeededRandom.derive(world.config.seed, 'guest-agent-reply', n);
    const existing = conversation.participants.find((p) => p.purpose === 'agent' && p.userId && p.state === 'connected');
    const agent = existing ?? world.assignAgent(conversationId, rng.pick(world.catalog.agents));
    world.sendOutbound(conversationId, agent.communicationId, { text: agentLine(rng, 'there') });
  }

  private onConversationChanged(change: ConversationChange): void {
    const session = this.byConversation.get(change.conversationId);
    if (!session || session.expired) return;
    const conversation = this.deps.world.conversation(change.conversationId);
    if (!conversation) return;
    if (change.kind === 'message' && change.messageId) {
      const message = conversation.messages.find((m) => m.id === change.messageId);
      // the guest's own messages were echoed by onMessage already
      if (message && message.direction === 'outbound') this.push(session, conversation, message);
      return;
    }
    if (change.kind === 'participant' && conversation.endTime !== undefined && !this.disconnectAnnounced.has(conversation.id)) {
      this.disconnectAnnounced.add(conversation.id);
      const body = {
        id: this.deps.world.ids.uuid('guest-event'),
        channel: { time: isoString(change.at), type: 'Private' },
        type: 'Event',
        direction: 'Outbound',
        events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
      };
      for (const connection of session.connections) this.send(connection, messageFrame('StructuredMessage', body));
    }
  }

  private onUploadCompleted(upload: UploadRecord): void {
    const session = this.uploadOwner.get(upload.id);
    if (!session) return;
    const body = { attachmentId: upload.id, downloadUrl: this.downloadUrl(upload), timestamp: isoString(this.deps.world.clock.now()) };
    for (const connection of session.connections) this.send(connection, messageFrame('UploadSuccessEvent', body));
  }

  private downloadUrl(upload: UploadRecord): string {
    return `${this.deps.apiBaseUrl()}/downloads/${upload.id}/${encodeURIComponent(upload.fileName)}`;
  }

  private push(session: GuestSession, conversation: ConversationRecord, message: MessageRecord): void {
    const frame = messageFrame('StructuredMessage', this.render(conversation, message));
    for (const connection of session.connections) this.send(connection, frame);
  }

  private render(conversation: ConversationRecord, message: MessageRecord): Record<string, unknown> {
    return renderGuestMessage(this.deps.apiBaseUrl(), conversation, message);
  }

  private summary(session: GuestSession): GuestSessionSummary {
    return {
      id: session.id,
      deploymentId: session.deploymentId,
      customerId: session.customer.id,
      startedAt: isoString(session.startedAt),
      expiresAt: isoString(session.expiresAt),
      expired: session.expired,
      connected: session.connections.size,
      conversationIds: [...session.conversationIds],
    };
  }

  private fail(connection: GuestConnection, error: GuestFrameError, tracingId?: string): void {
    this.deps.stats.recordGuestError(error.code);
    this.send(connection, errorFrame(error, tracingId));
  }

  private send(connection: GuestConnection, frame: GuestServerFrame): void {
    this.deps.stats.recordSocket('guest', 'framesOut');
    connection.send(frame);
  }
}

function isUploadError(code: GuestErrorCode): boolean {
  return code === GuestErrorCode.FileTypeInvalid || code === GuestErrorCode.FileSizeInvalid || code === GuestErrorCode.FileNameInvalid;
}

function customAttributesOf(holder: Frame): Record<string, string> | undefined {
  const channel = holder.channel as Frame | undefined;
  const metadata = channel?.metadata as Frame | undefined;
  const attributes = metadata?.customAttributes;
  if (attributes === undefined || attributes === null) return undefined;
  if (typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw new GuestFrameError(GuestErrorCode.BadRequest, 'channel.metadata.customAttributes must be an object of strings.');
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes as Frame)) {
    if (typeof value !== 'string') throw new GuestFrameError(GuestErrorCode.BadRequest, `Custom attribute ${key} must be a string.`);
    out[key] = value;
  }
  return out;
}

function prefixed(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [`${CUSTOM_ATTRIBUTE_PREFIX}${k}`, v]));
}

/** Lower-case extension with its dot; trailing dots and spaces (a classic bypass) ignored. */
function extensionOf(fileName: string): string | undefined {
  const trimmed = fileName.replace(/[.\s]+$/, '');
  const dot = trimmed.lastIndexOf('.');
  return dot > 0 ? trimmed.slice(dot).toLowerCase() : undefined;
}

function mimeMatches(allowed: string, type: string): boolean {
  const [aType, aSub] = allowed.toLowerCase().split('/');
  const [tType, tSub] = type.toLowerCase().split('/');
  return (aType === '*' || aType === tType) && (aSub === '*' || aSub === tSub);
}

/**
 * A WebMessagingMessage of the REST history: the socket's StructuredMessage without the
 * channel `type` (SDK v262 `WebMessagingChannel` is `{from, to, time, messageId}`).
 */
function historyMessage(body: Record<string, unknown>): Record<string, unknown> {
  const { type: _type, ...channel } = body.channel as Record<string, unknown>;
  return { ...body, channel };
}
