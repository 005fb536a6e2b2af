import { noopLogger, systemClock, type Clock, type GenesysLogger, type GenesysTransport } from '@gcm/genesys-auth';
import { DeliveryTracker, noopDeliveryMetrics, type DeliveryMetricsListener, type MessagingOperation } from '../metrics/delivery-metrics';
import type { Conversation, MessageConversation, Wrapup } from '../models/conversation.model';
import type { ConversationNormalizedMessage, MessageData, MessageMediaInfo, TextMessageListing } from '../models/message-data.model';
import { conversationMessageIds } from '../models/message-normalizer';
import type { OpenInboundMessage, OpenInboundReceipt } from '../models/open-messaging.model';
import type {
  AdditionalMessage,
  MediaParticipantRequest,
  MessageMediaUploadResponse,
  SendAgentlessOutboundMessageRequest,
  SendAgentlessOutboundMessageResponse,
  UploadMediaRequest,
} from '../models/sending.model';
import { fetchUploadHttp, putUpload, type UploadHttp } from '../upload/upload-http';
import type { ContentPolicyOptions } from '../validation/content-policy';
import type { MessageViolation } from '../validation/message-validation.error';
import { MessageValidator, type AttachmentRules } from '../validation/message-validator.service';
import { mapBounded } from './bounded-concurrency';

/** The part of the Genesys transport the client uses (a real `GenesysTransport` in practice). */
export type MessagingTransport = Pick<GenesysTransport, 'get' | 'post' | 'patch'>;

/** Genesys accepts at most 1,000 ids per bulk request. */
export const MAX_BULK_IDS = 1000;

export interface MessagingClientOptions {
  transport: MessagingTransport;
  metrics?: DeliveryMetricsListener;
  validator?: MessageValidator;
  /** Used when no `validator` is given. */
  contentPolicy?: ContentPolicyOptions;
  uploadHttp?: UploadHttp;
  /** Defaults for `getMessagesBulk`. */
  bulk?: { concurrency?: number; chunkSize?: number };
  clock?: Clock;
  logger?: GenesysLogger;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface BulkOptions extends CallOptions {
  /** Bulk requests in flight at once (default 4). */
  concurrency?: number;
  /** Ids per request, at most 1,000 (the default). */
  chunkSize?: number;
}

export interface BulkResult {
  /** One per id that came back, in the order of the requested ids. */
  messages: MessageData[];
  /** Requested ids Genesys did not return (deleted, or not in this conversation). */
  missingIds: string[];
}

export interface ConversationMessages extends BulkResult {
  conversation: MessageConversation;
}

export interface AgentSendOptions extends CallOptions {
  /**
   * The conversation's channel (`participants[].type`), which sets the text limit: 765
   * characters for "sms", 2,000 otherwise. Without it the 2,000 limit applies.
   */
  messengerType?: string;
}

export interface MediaFile {
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
}

export interface MediaUploadOptions extends AgentSendOptions {
  /** Allowed types, size and blocked extensions to enforce before uploading. */
  rules?: AttachmentRules;
}

export interface OpenInboundOptions extends CallOptions {
  /** Ask Genesys to include the conversation id in the response. */
  prefetchConversationId?: boolean;
}

const seg = encodeURIComponent;

/**
 * Typed Genesys Cloud messaging endpoints (genesys-api.md §3–5) over the one authenticated
 * transport. Every send is validated first and refused locally when invalid; every call is
 * reported to the delivery metrics listener.
 *
 * Conversations take no If-Match: two writers to a participant race and the last one wins.
 * `updateParticipant` therefore re-reads the conversation after its PATCH and returns what
 * Genesys holds now, not what the caller asked for.
 */
export class MessagingClient {
  readonly validator: MessageValidator;
  private readonly transport: MessagingTransport;
  private readonly tracker: DeliveryTracker;
  private readonly uploadHttp: UploadHttp;
  private readonly bulkDefaults: { concurrency: number; chunkSize: number };

  constructor(options: MessagingClientOptions) {
    this.transport = options.transport;
    this.validator = options.validator ?? new MessageValidator({ contentPolicy: options.contentPolicy });
    this.uploadHttp = options.uploadHttp ?? fetchUploadHttp;
    this.tracker = new DeliveryTracker(options.metrics ?? noopDeliveryMetrics, options.clock ?? systemClock, options.logger ?? noopLogger);
    this.bulkDefaults = {
      concurrency: options.bulk?.concurrency ?? 4,
      chunkSize: options.bulk?.chunkSize ?? MAX_BULK_IDS,
    };
  }

  // ── reads ────────────────────────────────────────────────────────────────

  /** `GET /api/v2/conversations/{conversationId}`: the media-independent view. */
  getConversation(conversationId: string, options: CallOptions = {}): Promise<Conversation> {
    return this.tracker.track('conversation.get', { conversationId }, async () =>
      (await this.transport.get<Conversation>(`/api/v2/conversations/${seg(conversationId)}`, { signal: options.signal })).data,
    );
  }

  /** `GET /api/v2/conversations/messages/{conversationId}`: participants and their message ids. */
  getMessageConversation(conversationId: string, options: CallOptions = {}): Promise<MessageConversation> {
    return this.tracker.track('messageConversation.get', { conversationId }, async () => {
      const { data } = await this.transport.get<MessageConversation>(`/api/v2/conversations/messages/${seg(conversationId)}`, {
        signal: options.signal,
      });
      return { ...data, participants: data.participants ?? [] };
    });
  }

  /** `GET /api/v2/conversations/messages/{conversationId}/messages/{messageId}`. */
  getMessage(conversationId: string, messageId: string, options: CallOptions = {}): Promise<MessageData> {
    return this.tracker.track('message.get', { conversationId, messageId }, async () => {
      const path = `/api/v2/conversations/messages/${seg(conversationId)}/messages/${seg(messageId)}`;
      return (await this.transport.get<MessageData>(path, { signal: options.signal })).data;
    });
  }

  /**
   * Message bodies by id through `POST …/messages/bulk`: chunks of at most 1,000 ids, at
   * most `concurrency` requests in flight, results in the order of `messageIds` (duplicates
   * fetched once), and the ids that did not come back in `missingIds`. The POST only reads,
   * so the transport may retry it after a 5xx or a dropped connection.
   */
  async getMessagesBulk(conversationId: string, messageIds: readonly string[], options: BulkOptions = {}): Promise<BulkResult> {
    const chunkSize = options.chunkSize ?? this.bulkDefaults.chunkSize;
    const concurrency = options.concurrency ?? this.bulkDefaults.concurrency;
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_BULK_IDS) {
      throw new RangeError(`chunkSize must be an integer from 1 to ${MAX_BULK_IDS}, got ${chunkSize}`);
    }
    const ids = [...new Set(messageIds)];
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += chunkSize) chunks.push(ids.slice(i, i + chunkSize));
    const path = `/api/v2/conversations/messages/${seg(conversationId)}/messages/bulk`;

    return this.tracker.track(
      'messages.bulk',
      { conversationId, items: ids.length },
      async () => {
        const pages = await mapBounded(
          chunks,
          concurrency,
          async (chunk, _index, signal) =>
            (await this.transport.post<TextMessageListing>(path, chunk, { retrySafe: true, signal })).data?.entities ?? [],
          options.signal,
        );
        const byId = new Map<string, MessageData>();
        for (const page of pages) for (const message of page) if (message?.id) byId.set(message.id, message);
        const messages: MessageData[] = [];
        const missingIds: string[] = [];
        for (const id of ids) {
          const message = byId.get(id);
          if (message) messages.push(message);
          else missingIds.push(id);
        }
        return { messages, missingIds };
      },
    );
  }

  /**
   * Steps 1–3 of the sync algorithm: read the conversation, collect every message id of
   * every participant (ordered by messageTime) and bulk-fetch the bodies.
   */
  async getConversationMessages(conversationId: string, options: BulkOptions = {}): Promise<ConversationMessages> {
    const conversation = await this.getMessageConversation(conversationId, options);
    const result = await this.getMessagesBulk(conversationId, conversationMessageIds(conversation), options);
    return { conversation, ...result };
  }

  /** `GET …/communications/{commId}/messages/media/{mediaId}`. */
  async getMessageMedia(conversationId: string, communicationId: string, mediaId: string, options: CallOptions = {}): Promise<MessageMediaInfo> {
    const path = `/api/v2/conversations/messages/${seg(conversationId)}/communications/${seg(communicationId)}/messages/media/${seg(mediaId)}`;
    return (await this.transport.get<MessageMediaInfo>(path, { signal: options.signal })).data;
  }

  // ── sending ──────────────────────────────────────────────────────────────

  /**
   * An agent's message: `POST …/communications/{commId}/messages` with one body kind
   * (textBody, mediaIds or messagingTemplate). Not retried after a 5xx: Genesys may have
   * delivered it, and a second POST would send it twice.
   */
  async sendAgentMessage(conversationId: string, communicationId: string, body: AdditionalMessage, options: AgentSendOptions = {}): Promise<MessageData> {
    const context = { conversationId };
    this.refuse('agent.send', context, this.validator.checkAgentMessage(body, options.messengerType));
    return this.tracker.track(
      'agent.send',
      context,
      async () => {
        const path = `/api/v2/conversations/messages/${seg(conversationId)}/communications/${seg(communicationId)}/messages`;
        return (await this.transport.post<MessageData>(path, body, { signal: options.signal })).data;
      },
      (message) => ({ messageId: message?.id }),
    );
  }

  /** `POST /api/v2/conversations/messages/agentless` (needs a client-credentials token). */
  async sendAgentlessMessage(request: SendAgentlessOutboundMessageRequest, options: CallOptions = {}): Promise<SendAgentlessOutboundMessageResponse> {
    this.refuse('agentless.send', {}, this.validator.checkAgentlessMessage(request));
    return this.tracker.track(
      'agentless.send',
      {},
      async () => (await this.transport.post<SendAgentlessOutboundMessageResponse>('/api/v2/conversations/messages/agentless', request, { signal: options.signal })).data,
      (response) => ({ conversationId: response?.conversationId, messageId: response?.id }),
    );
  }

  /** `POST …/messages/media/uploads`: reserves a media id and a pre-signed upload URL. */
  async createMediaUpload(conversationId: string, communicationId: string, request: UploadMediaRequest, options: CallOptions = {}): Promise<MessageMediaUploadResponse> {
    const path = `/api/v2/conversations/messages/${seg(conversationId)}/communications/${seg(communicationId)}/messages/media/uploads`;
    // an upload reservation that is never used expires on its own: safe to repeat
    return (await this.transport.post<MessageMediaUploadResponse>(path, request, { retrySafe: true, signal: options.signal })).data;
  }

  /**
   * Uploads a file for an agent message: reserve (`…/media/uploads`), then PUT the bytes to
   * the pre-signed `uploadUrl` with its `uploadHeaders` and without the Genesys token.
   * Returns the media id to send in `mediaIds`.
   */
  async uploadAgentMedia(conversationId: string, communicationId: string, file: MediaFile, options: MediaUploadOptions = {}): Promise<string> {
    const context = { conversationId };
    const sizeBytes = file.bytes?.byteLength ?? 0;
    this.refuse('agent.mediaUpload', context, this.validator.checkAttachment({ fileName: file.fileName, mimeType: file.mimeType, sizeBytes }, options.rules));
    return this.tracker.track('agent.mediaUpload', { ...context, items: sizeBytes }, async () => {
      const upload = await this.createMediaUpload(conversationId, communicationId, { fileName: file.fileName, contentLengthBytes: sizeBytes }, options);
      const headers = { 'Content-Type': file.mimeType, ...(upload.uploadHeaders ?? {}) };
      await putUpload(this.uploadHttp, upload.uploadUrl, file.bytes, headers, options.signal);
      return upload.id;
    });
  }

  /** Upload then send: the agent message carrying one attachment. */
  async sendAgentAttachment(conversationId: string, communicationId: string, file: MediaFile, options: MediaUploadOptions = {}): Promise<MessageData> {
    const mediaId = await this.uploadAgentMedia(conversationId, communicationId, file, options);
    return this.sendAgentMessage(conversationId, communicationId, { mediaIds: [mediaId] }, options);
  }

  /**
   * `PATCH /api/v2/conversations/messages/{cid}/participants/{pid}` (MediaParticipantRequest),
   * then a fresh GET of the conversation, which is returned. There is no If-Match on
   * conversations: if someone else changed the participant in between, their write or ours
   * wins by arrival order, and the returned conversation shows which.
   */
  updateParticipant(conversationId: string, participantId: string, request: MediaParticipantRequest, options: CallOptions = {}): Promise<MessageConversation> {
    return this.tracker.track('participant.update', { conversationId }, async () => {
      const path = `/api/v2/conversations/messages/${seg(conversationId)}/participants/${seg(participantId)}`;
      await this.transport.patch<unknown>(path, request, { signal: options.signal });
      return this.getMessageConversation(conversationId, options);
    });
  }

  disconnectParticipant(conversationId: string, participantId: string, options: CallOptions = {}): Promise<MessageConversation> {
    return this.updateParticipant(conversationId, participantId, { state: 'disconnected' }, options);
  }

  wrapUpParticipant(conversationId: string, participantId: string, wrapup: Wrapup, options: CallOptions = {}): Promise<MessageConversation> {
    return this.updateParticipant(conversationId, participantId, { wrapup }, options);
  }

  // ── open messaging ───────────────────────────────────────────────────────

  /** `POST /api/v2/conversations/messages/{integrationId}/inbound/open/message`. */
  async sendOpenInboundMessage(integrationId: string, message: OpenInboundMessage, options: OpenInboundOptions = {}): Promise<ConversationNormalizedMessage> {
    this.refuse('open.inboundMessage', {}, this.validator.checkOpenInboundMessage(message));
    return this.tracker.track(
      'open.inboundMessage',
      {},
      async () => {
        const path = `/api/v2/conversations/messages/${seg(integrationId)}/inbound/open/message`;
        const query = options.prefetchConversationId ? { prefetchConversationId: true } : undefined;
        return (await this.transport.post<ConversationNormalizedMessage>(path, message, { query, signal: options.signal })).data;
      },
      (response) => ({ conversationId: response?.conversationId, messageId: response?.id }),
    );
  }

  /** `POST …/{integrationId}/inbound/open/receipt`: delivery state of an outbound message. */
  async sendOpenReceipt(integrationId: string, receipt: OpenInboundReceipt, options: CallOptions = {}): Promise<ConversationNormalizedMessage> {
    this.refuse('open.inboundReceipt', {}, this.validator.checkOpenReceipt(receipt));
    return this.tracker.track(
      'open.inboundReceipt',
      { messageId: receipt.id },
      async () => {
        const path = `/api/v2/conversations/messages/${seg(integrationId)}/inbound/open/receipt`;
        // a receipt states a fact: repeating it changes nothing
        return (await this.transport.post<ConversationNormalizedMessage>(path, receipt, { retrySafe: true, signal: options.signal })).data;
      },
      (response) => ({ conversationId: response?.conversationId }),
    );
  }

  private refuse(operation: MessagingOperation, context: { conversationId?: string }, violations: MessageViolation[]): void {
    if (violations.length === 0) return;
    this.tracker.rejected(operation, context, violations);
    this.validator.assertValid(violations);
  }
}
