import { GenesysApiError } from '@gcm/genesys-auth';

/** Why a conversation could not be synced, for callers that branch on it. */
export enum HistorySyncErrorCode {
  /** Genesys does not know the conversation (404), or it is not a message conversation. */
  NotFound = 'NOT_FOUND',
  /** The OAuth client lacks a permission (403) or its credentials were refused (401). */
  AccessDenied = 'ACCESS_DENIED',
  /** Still rate limited (429) after the transport's retries. */
  RateLimited = 'RATE_LIMITED',
  /** Genesys failed (5xx) or could not be reached, after the transport's retries. */
  Unavailable = 'UNAVAILABLE',
  /** Genesys answered with data this library cannot read (e.g. a message without any timestamp). */
  InvalidResponse = 'INVALID_RESPONSE',
  /** The caller's AbortSignal fired. */
  Aborted = 'ABORTED',
  /** An option is out of range; `message` names it. */
  InvalidOptions = 'INVALID_OPTIONS',
  /** Anything else; `cause` holds the original error. */
  Unexpected = 'UNEXPECTED',
}

export class HistorySyncError extends Error {
  constructor(
    readonly code: HistorySyncErrorCode,
    message: string,
    /** The conversation concerned, when there is one. */
    readonly conversationId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Safe to log: the cause contributes its class, status and correlation id only. */
  toJSON(): Record<string, unknown> {
    const cause = this.cause;
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      conversationId: this.conversationId,
      cause:
        cause instanceof GenesysApiError
          ? { name: cause.name, status: cause.status, code: cause.code, contextId: cause.contextId }
          : cause instanceof Error
            ? { name: cause.name }
            : undefined,
    };
  }

  /** Classifies any failure of a sync into a HistorySyncError that says what to do. */
  static from(error: unknown, conversationId: string, signal?: AbortSignal): HistorySyncError {
    if (error instanceof HistorySyncError) return error;
    const about = `Conversation ${conversationId}`;
    if (signal?.aborted || (error instanceof Error && error.name === 'AbortError') || (error instanceof GenesysApiError && error.category === 'aborted')) {
      return new HistorySyncError(HistorySyncErrorCode.Aborted, `${about}: the sync was aborted before it finished.`, conversationId, { cause: error });
    }
    if (error instanceof GenesysApiError) {
      const where = `${error.message}`;
      switch (error.category) {
        case 'not-found':
          return new HistorySyncError(
            HistorySyncErrorCode.NotFound,
            `${about} was not found as a message conversation. Check the id, and that it is a messaging conversation of this organisation and region. ${where}`,
            conversationId,
            { cause: error },
          );
        case 'auth':
        case 'permission':
          return new HistorySyncError(
            HistorySyncErrorCode.AccessDenied,
            `${about} could not be read: access denied. The OAuth client needs conversation:message:view (or conversation:webmessaging:view). ${where}`,
            conversationId,
            { cause: error },
          );
        case 'rate-limit':
          return new HistorySyncError(
            HistorySyncErrorCode.RateLimited,
            `${about} could not be read: still rate limited after retries. Lower the sync concurrency or try later. ${where}`,
            conversationId,
            { cause: error },
          );
        case 'server':
        case 'connection':
          return new HistorySyncError(
            HistorySyncErrorCode.Unavailable,
            `${about} could not be read: Genesys is unavailable after retries. Try again later. ${where}`,
            conversationId,
            { cause: error },
          );
        default:
          break;
      }
    }
    const detail = error instanceof Error ? error.message : String(error);
    return new HistorySyncError(HistorySyncErrorCode.Unexpected, `${about} could not be synced: ${detail}`, conversationId, { cause: error });
  }
}

/** One conversation of `syncMany` that failed; the others carry on. */
export class SyncFailure {
  readonly ok = false;

  constructor(
    readonly conversationId: string,
    readonly error: HistorySyncError,
  ) {}
}

export function isSyncFailure(value: unknown): value is SyncFailure {
  return value instanceof SyncFailure;
}
