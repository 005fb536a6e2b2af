import { EventEmitter } from 'node:events';
import { SandboxClock } from '../clock/sandbox-clock';
import { ApiErrors } from '../errors/api-error';
import { SequenceIds } from '../random/sequence-ids';
import { attachmentKindFor, sha256Hex } from './attachment-content';
import { ConversationGenerator, statusFromReceipts } from './conversation-generator';
import { ConversationIndex } from './conversation-index';
import {
  AttachmentRecord,
  ConversationRecord,
  CustomerIdentity,
  MessageRecord,
  MessengerKind,
  ParticipantRecord,
  ReceiptRecord,
  WrapupRecord,
} from './conversation-record';
import { buildWorldCatalog, WorldCatalog } from './world-catalog';

export interface WorldConfig {
  seed: number;
  conversations: number;
  nowMs: number;
  days: number;
  messagesMin: number;
  messagesMax: number;
  uploadMaxBytes: number;
}

/** What changed, for whoever renders live views (the notifications socket of part 2). */
export interface ConversationChange {
  conversationId: string;
  kind: 'created' | 'message' | 'receipt' | 'participant';
  messageId?: string;
  participantId?: string;
  /** Epoch ms on the sandbox clock. */
  at: number;
}

export interface WorldEvents {
  'conversation.changed': [ConversationChange];
  /** The bytes of an upload arrived (the web messaging guest socket announces UploadSuccessEvent). */
  'upload.completed': [UploadRecord];
}

export interface UploadRecord {
  id: string;
  /** Empty for a web messaging guest upload until a message carries it. */
  conversationId: string;
  communicationId: string;
  /** Who asked for the upload URL: an agent communication or a web messaging guest. */
  owner?: 'agent' | 'guest';
  fileName: string;
  contentLengthBytes: number;
  mime: string;
  bytes?: Buffer;
  sha256?: string;
}

export interface OutboundMessageInput {
  text?: string;
  mediaIds?: string[];
}

export interface InboundMessageInput {
  /** open (Open Messaging integration) or webmessaging (guest of a deployment). */
  kind: Exclude<MessengerKind, 'sms'>;
  /** The open messaging integration id or the web messaging deployment id. */
  channelId: string;
  from: CustomerIdentity;
  /** The sender's own message id (Open Messaging channel.messageId), kept as providerMessageId. */
  providerMessageId?: string;
  time: number;
  text?: string;
  attachments: AttachmentRecord[];
  /** Participant data for the customer (web messaging custom attributes); merged, last write wins. */
  attributes?: Record<string, string>;
}

export interface ParticipantPatch {
  state?: 'disconnected';
  wrapup?: { code: string; name?: string; notes?: string; durationSeconds?: number };
  wrapupSkipped?: boolean;
  held?: boolean;
}

const CACHE_SIZE = 256;
const AGENTLESS_SENDER_NAME = 'Agentless API';

/**
 * The emulated organisation: the generated conversations (lazy, from the index) plus
 * everything that happened at runtime, stored as whole-conversation overlays: the first
 * mutation of a generated conversation materialises it once, and from then on the stored
 * record is the conversation. Every mutation emits 'conversation.changed'.
 */
export class SandboxWorld extends EventEmitter<WorldEvents> {
  readonly catalog: WorldCatalog;
  readonly index: ConversationIndex;
  readonly generator: ConversationGenerator;
  readonly ids: SequenceIds;
  private readonly cache = new Map<string, ConversationRecord>();
  private readonly materialized = new Map<string, ConversationRecord>();
  /** Conversations created at runtime, in creation order. */
  private readonly createdIds: string[] = [];
  private readonly runtimeMessages = new Map<string, string>();
  /** `${channelId}|${customer address}` → the runtime conversation on that channel. */
  private readonly activeByChannelCustomer = new Map<string, string>();
  private readonly uploads = new Map<string, UploadRecord>();

  constructor(
    readonly config: WorldConfig,
    readonly clock: SandboxClock,
  ) {
    super();
    this.catalog = buildWorldCatalog(config.seed);
    this.index = new ConversationIndex({
      seed: config.seed,
      conversations: config.conversations,
      nowMs: config.nowMs,
      days: config.days,
      messagesMin: config.messagesMin,
      messagesMax: config.messagesMax,
      queueCount: this.catalog.queues.length,
      agentCount: this.catalog.agents.length,
    });
    this.generator = new ConversationGenerator(config.seed, this.catalog, this.index, config.nowMs);
    this.ids = new SequenceIds(config.seed);
  }

  get size(): number {
    return this.index.size + this.createdIds.length;
  }

  /** Runtime-created conversation ids, oldest first. */
  createdConversationIds(): readonly string[] {
    return this.createdIds;
  }

  has(id: string): boolean {
    return this.materialized.has(id) || this.index.indexOf(id) !== undefined;
  }

  /** The full conversation (participants and messages), or undefined. Do not mutate it. */
  conversation(id: string): ConversationRecord | undefined {
    const stored = this.materialized.get(id);
    if (stored) return stored;
    const i = this.index.indexOf(id);
    if (i === undefined) return undefined;
    const cached = this.cache.get(id);
    if (cached) {
      this.cache.delete(id);
      this.cache.set(id, cached);
      return cached;
    }
    const record = this.generator.full(i);
    this.cache.set(id, record);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return record;
  }

  /**
   * Participants without messages, cheap enough to build for every conversation an
   * analytics query scans. Mutated conversations answer with their stored record.
   */
  skeleton(i: number): ConversationRecord {
    return this.materialized.get(this.index.ids[i]) ?? this.cache.get(this.index.ids[i]) ?? this.generator.skeleton(i);
  }

  /** Skeleton (or stored record) of any conversation by id. */
  skeletonById(id: string): ConversationRecord | undefined {
    const stored = this.materialized.get(id);
    if (stored) return stored;
    const i = this.index.indexOf(id);
    return i === undefined ? undefined : this.skeleton(i);
  }

  /** Whether conversation i has runtime changes (then only its stored record is truth). */
  isMaterialized(i: number): boolean {
    return this.materialized.has(this.index.ids[i]);
  }

  /** End time of generated conversation i (undefined while active), mutations included. */
  endTimeOf(i: number): number | undefined {
    const stored = this.materialized.get(this.index.ids[i]);
    if (stored) return stored.endTime;
    return this.index.isActive(i) ? undefined : this.index.lastActivity[i];
  }

  requireConversation(id: string): ConversationRecord {
    const record = this.conversation(id);
    if (!record) throw ApiErrors.notFound('conversationId', id);
    return record;
  }

  /** Finds a message anywhere by id (GET /api/v2/conversations/messages/{messageId}/details). */
  findMessage(messageId: string): { conversation: ConversationRecord; message: MessageRecord } | undefined {
    const runtimeConversation = this.runtimeMessages.get(messageId);
    const candidates: ConversationRecord[] = [];
    if (runtimeConversation) candidates.push(this.conversation(runtimeConversation)!);
    const i = this.generator.conversationIndexOfMessage(messageId);
    if (i !== undefined) candidates.push(this.conversation(this.index.ids[i])!);
    for (const conversation of candidates) {
      const message = conversation.messages.find((m) => m.id === messageId);
      if (message) return { conversation, message };
    }
    return undefined;
  }

  // ---- mutations -------------------------------------------------------------------

  /** An agent (or other org participant) sends on its message communication. */
  sendOutbound(conversationId: string, communicationId: string, input: OutboundMessageInput): MessageRecord {
    const conversation = this.mutable(conversationId);
    const sender = conversation.participants.find((p) => p.communicationId === communicationId);
    if (!sender) throw ApiErrors.notFound('communicationId', communicationId);
    if (sender.purpose === 'customer' || sender.purpose === 'acd') {
      throw ApiErrors.badRequest(
        'Communication {communicationId} belongs to the {purpose} participant; only an agent communication can send messages.',
        { communicationId, purpose: sender.purpose },
        'communicationId',
      );
    }
    if (sender.state === 'disconnected' || sender.state === 'terminated') {
      throw ApiErrors.badRequest(
        'Communication {communicationId} is disconnected; messages can only be sent on a connected communication.',
        { communicationId },
        'communicationId',
      );
    }
    const attachments = (input.mediaIds ?? []).map((mediaId) => this.attachmentFromUpload(conversationId, mediaId));
    const now = this.clock.now();
    const message: MessageRecord = {
      id: this.ids.hex32('message'),
      providerMessageId: this.providerMessageId(conversation.kind),
      timestamp: now,
      direction: 'outbound',
      participantId: sender.id,
      text: input.text,
      attachments,
      status: 'sent',
      receipts: [],
      createdByUserId: sender.userId,
      originatingEntity: 'Human',
    };
    this.appendMessage(conversation, sender, message);
    return message;
  }

  /**
   * An inbound customer message (Open Messaging, or a web messaging guest for part 2): joins
   * the customer's active conversation on that channel or starts one.
   */
  receiveInbound(input: InboundMessageInput): { conversation: ConversationRecord; message: MessageRecord } {
    const channels = input.kind === 'open' ? this.catalog.openIntegrations : this.catalog.webDeployments;
    if (!channels.some((c) => c.id === input.channelId)) {
      throw ApiErrors.notFound(input.kind === 'open' ? 'integrationId' : 'deploymentId', input.channelId);
    }
    const key = `${input.channelId}|${input.from.id}`;
    const existingId = this.activeByChannelCustomer.get(key);
    let conversation = existingId ? this.materialized.get(existingId) : undefined;
    if (!conversation || conversation.endTime !== undefined) {
      conversation = this.createConversation(input.kind, input.channelId, input.from, 'inbound');
      this.activeByChannelCustomer.set(key, conversation.id);
    }
    const customer = conversation.participants[0];
    if (input.attributes) Object.assign(customer.attributes, input.attributes);
    const message: MessageRecord = {
      id: this.ids.hex32('message'),
      providerMessageId: input.providerMessageId ?? this.providerMessageId(input.kind),
      timestamp: input.time,
      direction: 'inbound',
      participantId: customer.id,
      text: input.text,
      attachments: input.attachments,
      status: 'received',
      receipts: [],
      originatingEntity: 'Human',
    };
    this.appendMessage(conversation, customer, message);
    return { conversation, message };
  }

  /** An agentless outbound message (sms or open) from the organisation to an address. */
  sendAgentless(input: {
    kind: MessengerKind;
    fromAddress: string;
    toAddress: string;
    text: string;
    useExistingActiveConversation: boolean;
  }): { conversation: ConversationRecord; message: MessageRecord } {
    let conversation: ConversationRecord | undefined;
    const key = `${input.fromAddress}|${input.toAddress}`;
    if (input.useExistingActiveConversation) {
      const existing = this.activeByChannelCustomer.get(key);
      conversation = existing ? this.materialized.get(existing) : undefined;
      if (conversation?.endTime !== undefined) conversation = undefined;
    }
    if (!conversation) {
      const customer: CustomerIdentity = {
        id: input.toAddress,
        idType: input.kind === 'sms' ? 'Phone' : 'Opaque',
        firstName: '',
        lastName: '',
        nickname: input.toAddress,
      };
      conversation = this.createConversation(input.kind, input.fromAddress, customer, 'outbound');
      this.activeByChannelCustomer.set(key, conversation.id);
    }
    let sender = conversation.participants.find((p) => p.purpose === 'agent' && !p.userId && p.state === 'connected');
    if (!sender) {
      // the API sender joins a conversation the customer started
      sender = this.newParticipant('agent', AGENTLESS_SENDER_NAME, input.fromAddress, this.clock.now());
      conversation.participants.push(sender);
    }
    const message: MessageRecord = {
      id: this.ids.hex32('message'),
      providerMessageId: this.providerMessageId(input.kind),
      timestamp: this.clock.now(),
      direction: 'outbound',
      participantId: sender.id,
      text: input.text,
      attachments: [],
      status: 'sent',
      receipts: [],
      originatingEntity: 'Bot',
    };
    this.appendMessage(conversation, sender, message);
    return { conversation, message };
  }

  /**
   * ACD hands a waiting conversation to an agent: the agent joins connected (after a short
   * alert) and the acd participant leaves with a transfer. Returns the connected agent
   * participant; a conversation that already has one keeps it.
   */
  assignAgent(conversationId: string, agent: { id: string; name: string }): ParticipantRecord {
    const conversation = this.mutable(conversationId);
    const connected = conversation.participants.find((p) => p.purpose === 'agent' && p.userId && p.state === 'connected');
    if (connected) return connected;
    if (conversation.endTime !== undefined) {
      throw ApiErrors.badRequest('Conversation {conversationId} has ended; no agent can join it.', { conversationId }, 'conversationId');
    }
    const now = this.clock.now();
    const participant: ParticipantRecord = {
      ...this.newParticipant('agent', agent.name, '', now),
      userId: agent.id,
      queueId: conversation.queueId,
      startAlertingTime: now,
      wrapupRequired: true,
      wrapupTimeoutMs: 60_000,
    };
    conversation.participants.push(participant);
    for (const acd of conversation.participants) {
      if (acd.purpose === 'acd' && acd.state !== 'disconnected') this.disconnect(acd, 'transfer', now);
    }
    this.touchIndex(conversation, now);
    this.emitChange({ conversationId, kind: 'participant', participantId: participant.id, at: now });
    return participant;
  }

  /** A delivery/read receipt for an outbound message. */
  applyReceipt(messageId: string, receipt: ReceiptRecord): { conversation: ConversationRecord; message: MessageRecord } {
    const found = this.findMessage(messageId);
    if (!found || found.message.direction !== 'outbound') throw ApiErrors.notFound('id', messageId);
    const conversation = this.mutable(found.conversation.id);
    const message = conversation.messages.find((m) => m.id === messageId)!;
    message.receipts.push(receipt);
    message.receipts.sort((a, b) => a.time - b.time);
    message.status = statusFromReceipts(message.receipts);
    this.emitChange({ conversationId: conversation.id, kind: 'receipt', messageId, at: this.clock.now() });
    return { conversation, message };
  }

  /** PATCH of a participant: last writer wins, there is no version check. */
  patchParticipant(conversationId: string, participantId: string, patch: ParticipantPatch): void {
    const conversation = this.mutable(conversationId);
    const participant = conversation.participants.find((p) => p.id === participantId);
    if (!participant) throw ApiErrors.notFound('participantId', participantId);
    const now = this.clock.now();
    if (patch.held !== undefined) participant.held = patch.held;
    if (patch.wrapupSkipped !== undefined) participant.wrapupSkipped = patch.wrapupSkipped;
    if (patch.wrapup) participant.wrapup = this.wrapup(patch.wrapup, now);
    if (patch.state === 'disconnected' && participant.state !== 'disconnected') {
      this.disconnect(participant, 'client', now);
      const orgStillConnected = conversation.participants.some((p) => p.purpose !== 'customer' && p.state !== 'disconnected');
      if (!orgStillConnected) {
        for (const p of conversation.participants) if (p.state !== 'disconnected') this.disconnect(p, 'peer', now);
      }
      if (conversation.participants.every((p) => p.state === 'disconnected')) conversation.endTime = now;
    }
    this.touchIndex(conversation, now);
    this.emitChange({ conversationId, kind: 'participant', participantId, at: now });
  }

  // ---- uploads ---------------------------------------------------------------------

  createUpload(conversationId: string, communicationId: string, fileName: string, contentLengthBytes: number): UploadRecord {
    const conversation = this.requireConversation(conversationId);
    if (!conversation.participants.some((p) => p.communicationId === communicationId)) {
      throw ApiErrors.notFound('communicationId', communicationId);
    }
    const extension = fileName.split('.').pop()?.toLowerCase() ?? '';
    const mime = MIME_BY_EXTENSION[extension] ?? 'application/octet-stream';
    const upload: UploadRecord = {
      id: this.ids.uuid('upload'),
      conversationId,
      communicationId,
      owner: 'agent',
      fileName,
      contentLengthBytes,
      mime,
    };
    this.uploads.set(upload.id, upload);
    return upload;
  }

  /** An upload that belongs to no conversation yet (a web messaging guest's presigned URL). */
  createGuestUpload(id: string, fileName: string, contentLengthBytes: number, mime: string): UploadRecord {
    if (this.uploads.has(id)) {
      throw ApiErrors.badRequest('Upload {uploadId} already exists.', { uploadId: id }, 'attachmentId');
    }
    const upload: UploadRecord = { id, conversationId: '', communicationId: '', owner: 'guest', fileName, contentLengthBytes, mime };
    this.uploads.set(id, upload);
    return upload;
  }

  upload(id: string): UploadRecord | undefined {
    return this.uploads.get(id);
  }

  completeUpload(id: string, bytes: Buffer): UploadRecord {
    const upload = this.uploads.get(id);
    if (!upload) throw ApiErrors.notFound('uploadId', id);
    upload.bytes = bytes;
    upload.sha256 = sha256Hex(bytes);
    upload.contentLengthBytes = bytes.length;
    this.emit('upload.completed', upload);
    return upload;
  }

  /** The attachment a completed upload becomes once a message carries it. */
  attachmentOf(upload: UploadRecord): AttachmentRecord {
    if (!upload.bytes || !upload.sha256) throw new Error(`upload ${upload.id} has no content yet`);
    const kind = attachmentKindFor(upload.mime);
    return {
      id: upload.id,
      mediaType: kind?.mediaType ?? 'File',
      mime: upload.mime,
      filename: upload.fileName,
      contentSizeBytes: upload.bytes.length,
      sha256: upload.sha256,
      source: 'uploaded',
    };
  }

  // ---- internals -------------------------------------------------------------------

  private attachmentFromUpload(conversationId: string, mediaId: string): AttachmentRecord {
    const upload = this.uploads.get(mediaId);
    if (!upload || upload.conversationId !== conversationId) {
      throw ApiErrors.badRequest('Media {mediaId} was not uploaded to this conversation.', { mediaId }, 'mediaIds');
    }
    if (!upload.bytes || !upload.sha256) {
      throw ApiErrors.badRequest('Media {mediaId} has no content yet: PUT the file to its uploadUrl first.', { mediaId }, 'mediaIds');
    }
    return this.attachmentOf(upload);
  }

  private wrapup(input: NonNullable<ParticipantPatch['wrapup']>, now: number): WrapupRecord {
    const known = this.catalog.wrapupCodes.find((c) => c.id === input.code);
    return {
      code: input.code,
      name: input.name ?? known?.name ?? input.code,
      notes: input.notes,
      durationSeconds: input.durationSeconds,
      endTime: now,
    };
  }

  private disconnect(participant: ParticipantRecord, type: ParticipantRecord['disconnectType'], now: number): void {
    participant.state = 'disconnected';
    participant.disconnectType = type;
    participant.endTime = now;
  }

  private providerMessageId(kind: MessengerKind): string {
    const raw = this.ids.hex32('provider-message');
    return kind === 'sms' ? `SM${raw}` : kind === 'open' ? `ext-${raw.slice(0, 16)}` : raw;
  }

  private appendMessage(conversation: ConversationRecord, sender: ParticipantRecord, message: MessageRecord): void {
    conversation.messages.push(message);
    sender.messageIds.push(message.id);
    this.runtimeMessages.set(message.id, conversation.id);
    this.touchIndex(conversation, message.timestamp);
    this.emitChange({ conversationId: conversation.id, kind: 'message', messageId: message.id, at: this.clock.now() });
  }

  private touchIndex(conversation: ConversationRecord, at: number): void {
    if (conversation.index >= 0) this.index.touch(conversation.index, at, conversation.endTime === undefined);
  }

  private createConversation(
    kind: MessengerKind,
    channelId: string,
    customer: CustomerIdentity,
    originatingDirection: 'inbound' | 'outbound',
  ): ConversationRecord {
    const now = this.clock.now();
    const queue = this.catalog.queues[0];
    const id = this.ids.uuid('conversation');
    const participants = [this.newParticipant('customer', customer.nickname, customer.id, now)];
    if (originatingDirection === 'inbound') {
      participants.push({ ...this.newParticipant('acd', queue.name, queue.name, now), queueId: queue.id });
    } else {
      participants.push(this.newParticipant('agent', AGENTLESS_SENDER_NAME, channelId, now));
    }
    const record: ConversationRecord = {
      id,
      index: -1,
      kind,
      startTime: now,
      originatingDirection,
      divisionId: queue.divisionId,
      queueId: queue.id,
      channelId,
      customer,
      orgAddress: channelId,
      participants,
      messages: [],
    };
    this.materialized.set(id, record);
    this.createdIds.push(id);
    this.emitChange({ conversationId: id, kind: 'created', at: now });
    return record;
  }

  private newParticipant(purpose: ParticipantRecord['purpose'], name: string, address: string, now: number): ParticipantRecord {
    return {
      id: this.ids.uuid('participant'),
      purpose,
      name,
      communicationId: this.ids.uuid('communication'),
      address,
      startTime: now,
      connectedTime: now,
      state: 'connected',
      held: false,
      wrapupRequired: false,
      attributes: {},
      messageIds: [],
    };
  }

  private mutable(conversationId: string): ConversationRecord {
    const stored = this.materialized.get(conversationId);
    if (stored) return stored;
    const record = this.requireConversation(conversationId);
    this.cache.delete(conversationId);
    this.materialized.set(conversationId, record);
    return record;
  }

  private emitChange(change: ConversationChange): void {
    this.emit('conversation.changed', change);
  }
}

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  txt: 'text/plain',
};
