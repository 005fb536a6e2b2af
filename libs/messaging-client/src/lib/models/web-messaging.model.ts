/**
 * Frames of the Web Messaging Guest WebSocket (`wss://webmessaging.{domain}/v1`), with the
 * field names of the real protocol (genesys-api.md §4, the web messaging SDKs).
 */

export type GuestAction =
  | 'configureSession'
  | 'configureAuthenticatedSession'
  | 'onMessage'
  | 'echo'
  | 'getJwt'
  | 'onAttachment'
  | 'getAttachment'
  | 'deleteAttachment'
  | 'closeSession'
  | 'getConfiguration';

export interface GuestCustomAttributesChannel {
  metadata: { customAttributes: Record<string, string> };
}

export interface GuestOutgoingMessage {
  type: 'Text' | 'Event' | 'Structured';
  text?: string;
  content?: Array<{ contentType: 'Attachment'; attachment: { id: string } }>;
  events?: Array<Record<string, unknown>>;
  /**
   * Custom attributes: `message.channel.metadata.customAttributes`, where the Messenger
   * Transport SDK sends them; the request-level `channel.metadata` is deprecated and ignored
   * from 2026-06-05 (Genesys developer announcement, genesys-api.md §4).
   */
  channel?: GuestCustomAttributesChannel;
}

/** Every client frame carries the session token and a tracing id the server echoes back. */
export interface GuestRequestBase {
  action: GuestAction;
  /** Client-generated session token (a UUID); persist it to resume the session. */
  token: string;
  tracingId?: string;
}

export interface ConfigureSessionRequest extends GuestRequestBase {
  action: 'configureSession';
  deploymentId: string;
  startNew?: boolean;
  journeyContext?: Record<string, unknown>;
}

export interface OnMessageRequest extends GuestRequestBase {
  action: 'onMessage';
  /** Custom attributes go inside it (`message.channel`), never beside it. */
  message: GuestOutgoingMessage;
  time?: string;
}

export interface EchoRequest extends GuestRequestBase {
  action: 'echo';
  message: { type: 'Text'; text: string };
}

export interface OnAttachmentRequest extends GuestRequestBase {
  action: 'onAttachment';
  attachmentId: string;
  fileName: string;
  fileType: string;
  fileSize: number;
  fileMd5?: string;
  errorsAsJson?: boolean;
}

export interface CloseSessionRequest extends GuestRequestBase {
  action: 'closeSession';
  closeAllConnections: boolean;
}

export type GuestRequest =
  | ConfigureSessionRequest
  | OnMessageRequest
  | EchoRequest
  | OnAttachmentRequest
  | CloseSessionRequest
  | (GuestRequestBase & { action: 'getJwt' | 'getAttachment' | 'deleteAttachment' | 'getConfiguration'; [field: string]: unknown });

export type GuestServerClass =
  | 'string'
  | 'SessionResponse'
  | 'StructuredMessage'
  | 'PresignedUrlResponse'
  | 'AttachmentDeletedResponse'
  | 'UploadSuccessEvent'
  | 'UploadFailureEvent'
  | 'GenerateUrlError'
  | 'JwtResponse'
  | 'SessionExpiredEvent'
  | 'SessionClearedEvent'
  | 'ConnectionClosedEvent'
  | 'LogoutEvent'
  | 'TooManyRequestsErrorMessage'
  | 'Error';

/** Every server frame. `type` is "response" for answers to a request, "message" for pushes. */
export interface GuestServerFrame<B = unknown> {
  type: 'response' | 'message';
  class: GuestServerClass | string;
  code: number;
  body: B;
  tracingId?: string;
  [field: string]: unknown;
}

export interface AllowedMedia {
  inbound?: { fileTypes?: Array<{ type: string }>; maxFileSizeKB?: number };
  [field: string]: unknown;
}

export interface SessionResponse {
  connected: boolean;
  newSession?: boolean;
  readOnly?: boolean;
  allowedMedia?: AllowedMedia;
  blockedExtensions?: string[];
  maxCustomDataBytes?: number;
  clearedExistingSession?: boolean;
  durationSeconds?: number;
  /** Epoch seconds. */
  expirationDate?: number;
  [field: string]: unknown;
}

export interface StructuredMessageAttachment {
  id: string;
  url?: string;
  filename?: string;
  fileSize?: number;
  mediaType?: string;
  mime?: string;
  sha256?: string;
  text?: string;
  [field: string]: unknown;
}

export interface StructuredMessage {
  id: string;
  type: 'Text' | 'Event' | 'Structured' | string;
  text?: string;
  /** "Inbound" = from the guest; "Outbound" = from an agent or bot. */
  direction: 'Inbound' | 'Outbound' | string;
  channel?: {
    time?: string;
    messageId?: string;
    type?: string;
    to?: { firstName?: string; lastName?: string; nickname?: string; image?: string; [field: string]: unknown };
    from?: { firstName?: string; lastName?: string; nickname?: string; image?: string; [field: string]: unknown };
    [field: string]: unknown;
  };
  content?: Array<{ contentType: string; attachment?: StructuredMessageAttachment; [field: string]: unknown }>;
  metadata?: Record<string, string>;
  events?: Array<Record<string, unknown>>;
  originatingEntity?: string;
  [field: string]: unknown;
}

export interface PresignedUrlResponse {
  attachmentId: string;
  url: string;
  headers: Record<string, string>;
  fileName?: string;
  fileSize?: number;
  fileType?: string;
  [field: string]: unknown;
}

export interface UploadSuccessEvent {
  attachmentId: string;
  downloadUrl: string;
  timestamp?: string;
  [field: string]: unknown;
}

export interface UploadFailureEvent {
  attachmentId: string;
  errorCode: number;
  errorMessage: string;
  timestamp?: string;
  [field: string]: unknown;
}

export interface JwtResponse {
  jwt: string;
  /** Epoch seconds. */
  exp: number;
  [field: string]: unknown;
}

export interface TooManyRequestsErrorMessage {
  /** Seconds. */
  retryAfter: number;
  errorCode: number;
  errorMessage: string;
  [field: string]: unknown;
}

export interface ConnectionClosedEvent {
  reason?: string;
  [field: string]: unknown;
}

/** One entry of the guest history (`GET /api/v2/webmessaging/messages`). */
export interface WebMessagingMessage {
  id: string;
  channel?: { from?: Record<string, unknown>; to?: Record<string, unknown>; time?: string; messageId?: string; [field: string]: unknown };
  type?: 'Text' | 'Structured' | 'Receipt' | 'Event' | string;
  text?: string;
  content?: Array<Record<string, unknown>>;
  status?: string;
  direction?: 'Inbound' | 'Outbound' | string;
  originatingEntity?: string;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface WebMessagingMessageEntityList {
  entities: WebMessagingMessage[];
  pageSize: number;
  pageNumber: number;
  total?: number;
  pageCount?: number;
  [field: string]: unknown;
}
