/** Why a guest session operation failed. Server codes (4xxx) keep the protocol's meaning. */
export enum WebMessagingErrorCode {
  FeatureUnavailable = 'FEATURE_UNAVAILABLE',
  FileTypeInvalid = 'FILE_TYPE_INVALID',
  FileSizeInvalid = 'FILE_SIZE_INVALID',
  FileContentInvalid = 'FILE_CONTENT_INVALID',
  FileNameInvalid = 'FILE_NAME_INVALID',
  FileNameTooLong = 'FILE_NAME_TOO_LONG',
  SessionExpired = 'SESSION_EXPIRED',
  SessionNotFound = 'SESSION_NOT_FOUND',
  AttachmentExpired = 'ATTACHMENT_EXPIRED',
  AttachmentNotFound = 'ATTACHMENT_NOT_FOUND',
  AttachmentNotUploaded = 'ATTACHMENT_NOT_UPLOADED',
  MessageTooLong = 'MESSAGE_TOO_LONG',
  CustomAttributesTooLarge = 'CUSTOM_ATTRIBUTES_TOO_LARGE',
  CannotDowngrade = 'CANNOT_DOWNGRADE_TO_UNAUTHENTICATED',
  MissingParameter = 'MISSING_PARAMETER',
  RequestRateTooHigh = 'REQUEST_RATE_TOO_HIGH',
  ServerError = 'SERVER_ERROR',
  /** The socket dropped while the request was in flight: it may or may not have arrived. */
  ConnectionLost = 'CONNECTION_LOST',
  /** The socket could not be (re)opened. */
  ConnectFailed = 'CONNECT_FAILED',
  /** No answer within the response timeout. */
  Timeout = 'TIMEOUT',
  /** The session was closed (closeSession, ConnectionClosedEvent or disconnect()). */
  Closed = 'SESSION_CLOSED',
  UploadFailed = 'UPLOAD_FAILED',
  HistoryFailed = 'HISTORY_FAILED',
  ProtocolError = 'PROTOCOL_ERROR',
}

const SERVER_CODES: Record<number, WebMessagingErrorCode> = {
  4000: WebMessagingErrorCode.FeatureUnavailable,
  4001: WebMessagingErrorCode.FileTypeInvalid,
  4002: WebMessagingErrorCode.FileSizeInvalid,
  4003: WebMessagingErrorCode.FileContentInvalid,
  4004: WebMessagingErrorCode.FileNameInvalid,
  4005: WebMessagingErrorCode.FileNameTooLong,
  4006: WebMessagingErrorCode.SessionExpired,
  4007: WebMessagingErrorCode.SessionNotFound,
  4008: WebMessagingErrorCode.AttachmentExpired,
  4009: WebMessagingErrorCode.AttachmentNotFound,
  4010: WebMessagingErrorCode.AttachmentNotUploaded,
  4011: WebMessagingErrorCode.MessageTooLong,
  4013: WebMessagingErrorCode.CustomAttributesTooLarge,
  4017: WebMessagingErrorCode.CannotDowngrade,
  4020: WebMessagingErrorCode.MissingParameter,
  4029: WebMessagingErrorCode.RequestRateTooHigh,
};

export function codeFromServer(serverCode: number): WebMessagingErrorCode {
  return SERVER_CODES[serverCode] ?? WebMessagingErrorCode.ServerError;
}

export class WebMessagingError extends Error {
  readonly code: WebMessagingErrorCode;
  /** The numeric code the server sent (e.g. 4011), when the failure came from it. */
  readonly serverCode?: number;
  /** Whether trying again later may succeed. */
  readonly retryable: boolean;
  readonly action?: string;

  constructor(init: { code: WebMessagingErrorCode; message: string; serverCode?: number; action?: string; retryable?: boolean }) {
    super(init.message);
    this.name = 'WebMessagingError';
    this.code = init.code;
    this.serverCode = init.serverCode;
    this.action = init.action;
    this.retryable =
      init.retryable ??
      [WebMessagingErrorCode.ConnectionLost, WebMessagingErrorCode.ConnectFailed, WebMessagingErrorCode.Timeout, WebMessagingErrorCode.RequestRateTooHigh].includes(init.code);
  }

  static fromServer(action: string, serverCode: number, detail: unknown): WebMessagingError {
    const code = codeFromServer(serverCode);
    const text = typeof detail === 'string' ? detail : (detail as { errorMessage?: string })?.errorMessage;
    return new WebMessagingError({
      code,
      serverCode,
      action,
      message: `Web messaging ${action} was refused with ${serverCode} (${code})${text ? `: ${text}` : ''}.${advice(code)}`,
    });
  }
}

function advice(code: WebMessagingErrorCode): string {
  switch (code) {
    case WebMessagingErrorCode.SessionExpired:
    case WebMessagingErrorCode.SessionNotFound:
      return ' Start a new session (startNew) instead of resuming this token.';
    case WebMessagingErrorCode.MessageTooLong:
      return ' Web messaging text is limited to 2,000 characters.';
    case WebMessagingErrorCode.CustomAttributesTooLarge:
      return ' Send fewer or shorter custom attributes (see maxCustomDataBytes of the session).';
    case WebMessagingErrorCode.FileTypeInvalid:
    case WebMessagingErrorCode.FileSizeInvalid:
      return " Check the session's allowedMedia and blockedExtensions.";
    default:
      return '';
  }
}
