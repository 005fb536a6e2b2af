import { HttpException } from '@nestjs/common';
import { ArchiveError, ArchiveErrorCode } from '@gcm/archive';
import { GenesysApiError } from '@gcm/genesys-auth';
import { HistorySyncError, HistorySyncErrorCode } from '@gcm/history-timeline';
import { MessageValidationError, WebMessagingError, WebMessagingErrorCode } from '@gcm/messaging-client';
import { SearchCriteriaError, SearchStreamError, SearchStreamErrorCode } from '@gcm/search-stream';
import { StoreError, StoreErrorCode } from '@gcm/store';
import { ApiError } from './api.error';
import { RequestValidationError } from './request-validation.error';

const DEFAULT_RETRY_AFTER_SECONDS = 30;

/** Joins a lib's message and the API's advice into one text with single full stops. */
function sentences(...parts: string[]): string {
  return parts.map((part) => part.trim().replace(/\.+$/, '')).filter(Boolean).join('. ') + '.';
}

/**
 * Every error the API can meet, as the ApiError it answers with. Genesys failures are
 * mapped deliberately: the caller did nothing wrong when Genesys refuses our credentials,
 * so those are 502s whose detail tells the operator what to fix; an upstream 429 is our
 * capacity problem (503 with Retry-After); a Genesys 404 is the caller's 404.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof MessageValidationError) {
    return new RequestValidationError(
      error.violations.map((v) => ({ field: v.field, message: v.message, code: v.code })),
      'The message',
    );
  }
  if (error instanceof GenesysApiError) return fromGenesys(error);
  if (error instanceof WebMessagingError) return fromWebMessaging(error);
  if (error instanceof HistorySyncError) return fromHistorySync(error);
  if (error instanceof SearchStreamError) return fromSearch(error);
  if (error instanceof ArchiveError) return fromArchive(error);
  if (error instanceof StoreError) return fromStore(error);
  if (error instanceof HttpException) return fromHttpException(error);
  const bodyParser = fromBodyParser(error);
  if (bodyParser) return bodyParser;
  return internal(error);
}

export function internal(cause: unknown): ApiError {
  return new ApiError({
    status: 500,
    slug: 'internal',
    title: 'Internal error',
    detail: 'The API failed unexpectedly. The failure is logged with this request id; quote it when reporting the problem.',
    cause,
  });
}

function fromGenesys(error: GenesysApiError): ApiError {
  const upstream = { upstream: { status: error.status, code: error.code, ...(error.contextId ? { contextId: error.contextId } : {}) } };
  switch (error.category) {
    case 'auth':
      return new ApiError({
        status: 502,
        slug: 'upstream-auth',
        title: 'Genesys Cloud refused the API\'s credentials',
        detail: sentences(error.message, 'Operator: check GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET and GENESYSCLOUD_REGION, and that the OAuth client is active.'),
        extensions: upstream,
        cause: error,
      });
    case 'permission':
      return new ApiError({
        status: 502,
        slug: 'upstream-permission',
        title: 'The API\'s Genesys Cloud client lacks a permission',
        detail: sentences(error.message, 'Operator: add the permission to a role of the OAuth client.'),
        extensions: upstream,
        cause: error,
      });
    case 'not-found':
      return new ApiError({ status: 404, slug: 'not-found', title: 'Not found', detail: error.message, extensions: upstream, cause: error });
    case 'validation':
      return new ApiError({ status: 400, slug: 'upstream-validation', title: 'Genesys Cloud refused the request', detail: error.message, extensions: upstream, cause: error });
    case 'conflict':
      return new ApiError({ status: 409, slug: 'conflict', title: 'Conflict', detail: error.message, extensions: upstream, cause: error });
    case 'rate-limit': {
      const seconds = error.retryAfterMs === undefined ? DEFAULT_RETRY_AFTER_SECONDS : Math.max(1, Math.ceil(error.retryAfterMs / 1_000));
      return new ApiError({
        status: 503,
        slug: 'upstream-rate-limited',
        title: 'Genesys Cloud is rate limiting the API',
        detail: `The API's Genesys Cloud quota is exhausted after retries. Retry in ${seconds} s.`,
        headers: { 'Retry-After': String(seconds) },
        extensions: { ...upstream, retryAfterSeconds: seconds },
        cause: error,
      });
    }
    case 'aborted':
      return new ApiError({ status: 503, slug: 'aborted', title: 'The request was abandoned', detail: 'The request was aborted before Genesys Cloud answered (client gone or the API shutting down).', cause: error });
    default:
      return new ApiError({
        status: error.category === 'connection' && /timeout/i.test(error.message) ? 504 : 502,
        slug: 'upstream-unavailable',
        title: 'Genesys Cloud is unavailable',
        detail: sentences(error.message, 'Retry later.'),
        extensions: upstream,
        cause: error,
      });
  }
}

const GUEST_FIELD: Partial<Record<WebMessagingErrorCode, string>> = {
  [WebMessagingErrorCode.MessageTooLong]: 'text',
  [WebMessagingErrorCode.CustomAttributesTooLarge]: 'customAttributes',
  [WebMessagingErrorCode.FileTypeInvalid]: 'attachment.mimeType',
  [WebMessagingErrorCode.FileSizeInvalid]: 'attachment.contentBase64',
  [WebMessagingErrorCode.FileContentInvalid]: 'attachment.contentBase64',
  [WebMessagingErrorCode.FileNameInvalid]: 'attachment.fileName',
  [WebMessagingErrorCode.FileNameTooLong]: 'attachment.fileName',
  [WebMessagingErrorCode.MissingParameter]: 'text',
};

function fromWebMessaging(error: WebMessagingError): ApiError {
  const extensions = { guestError: { code: error.code, ...(error.serverCode !== undefined ? { serverCode: error.serverCode } : {}) } };
  const field = GUEST_FIELD[error.code];
  if (field) {
    return new ApiError({ status: 400, slug: 'validation', title: 'The request is invalid', detail: error.message, errors: [{ field, message: error.message, code: error.code }], extensions: { ...extensions, fields: [field] }, cause: error });
  }
  switch (error.code) {
    case WebMessagingErrorCode.SessionExpired:
    case WebMessagingErrorCode.Closed:
      return new ApiError({ status: 410, slug: 'guest-session-ended', title: 'The guest session has ended', detail: sentences(error.message, 'Open a new guest session.'), extensions, cause: error });
    case WebMessagingErrorCode.SessionNotFound:
      return new ApiError({ status: 404, slug: 'guest-session-not-found', title: 'Guest session not found', detail: error.message, extensions, cause: error });
    case WebMessagingErrorCode.RequestRateTooHigh:
      return new ApiError({ status: 429, slug: 'guest-rate-limited', title: 'Too many guest messages', detail: sentences(error.message, 'Web messaging allows 2 messages a second per session.'), headers: { 'Retry-After': '1' }, extensions, cause: error });
    case WebMessagingErrorCode.AttachmentExpired:
    case WebMessagingErrorCode.AttachmentNotFound:
    case WebMessagingErrorCode.AttachmentNotUploaded:
    case WebMessagingErrorCode.FeatureUnavailable:
    case WebMessagingErrorCode.CannotDowngrade:
      return new ApiError({ status: 422, slug: 'guest-refused', title: 'Web messaging refused the request', detail: error.message, extensions, cause: error });
    case WebMessagingErrorCode.Timeout:
      return new ApiError({ status: 504, slug: 'upstream-timeout', title: 'Web messaging did not answer', detail: sentences(error.message, 'Retry later.'), extensions, cause: error });
    case WebMessagingErrorCode.ServerError:
      // 403 on configureSession: the deployment is unknown or does not allow this origin
      if (error.serverCode === 403) {
        return new ApiError({
          status: 422,
          slug: 'deployment-refused',
          title: 'Web messaging refused the deployment',
          detail: sentences(error.message, "The deployment must exist, be active and allow the API's origin (GCM_API_GUEST_ORIGIN)."),
          errors: [{ field: 'deploymentId', message: 'was refused by web messaging', code: 'DEPLOYMENT_REFUSED' }],
          extensions: { ...extensions, fields: ['deploymentId'] },
          cause: error,
        });
      }
      return new ApiError({ status: 502, slug: 'upstream-unavailable', title: 'Web messaging failed', detail: sentences(error.message, 'Retry later.'), extensions, cause: error });
    default:
      return new ApiError({ status: 502, slug: 'upstream-unavailable', title: 'Web messaging failed', detail: sentences(error.message, 'Retry later.'), extensions, cause: error });
  }
}

function fromHistorySync(error: HistorySyncError): ApiError {
  if (error.cause instanceof GenesysApiError && error.code !== HistorySyncErrorCode.InvalidResponse) {
    const mapped = fromGenesys(error.cause);
    return new ApiError({ status: mapped.status, slug: mapped.slug, title: mapped.title, detail: error.message, headers: mapped.headers, extensions: mapped.extensions, cause: error });
  }
  switch (error.code) {
    case HistorySyncErrorCode.NotFound:
      return new ApiError({ status: 404, slug: 'not-found', title: 'Not found', detail: error.message, cause: error });
    case HistorySyncErrorCode.InvalidOptions:
      return new ApiError({ status: 400, slug: 'validation', title: 'The request is invalid', detail: error.message, cause: error });
    case HistorySyncErrorCode.RateLimited:
      return new ApiError({ status: 503, slug: 'upstream-rate-limited', title: 'Genesys Cloud is rate limiting the API', detail: error.message, headers: { 'Retry-After': String(DEFAULT_RETRY_AFTER_SECONDS) }, cause: error });
    case HistorySyncErrorCode.Aborted:
      return new ApiError({ status: 503, slug: 'aborted', title: 'The request was abandoned', detail: error.message, cause: error });
    case HistorySyncErrorCode.Unexpected:
      return internal(error);
    default:
      return new ApiError({ status: 502, slug: 'upstream-unavailable', title: 'Genesys Cloud could not be read', detail: error.message, cause: error });
  }
}

function fromSearch(error: SearchStreamError): ApiError {
  if (error instanceof SearchCriteriaError) {
    const field = error.field;
    return new ApiError({ status: 400, slug: 'validation', title: 'The request is invalid', detail: error.message, errors: [{ field, message: error.message, code: error.code }], extensions: { fields: [field] }, cause: error });
  }
  if (error.cause instanceof GenesysApiError) return fromGenesys(error.cause);
  switch (error.code) {
    case SearchStreamErrorCode.InvalidResumeToken:
    case SearchStreamErrorCode.ResumeTokenMismatch:
      return new ApiError({ status: 400, slug: 'validation', title: 'The request is invalid', detail: error.message, errors: [{ field: 'resumeToken', message: error.message, code: error.code }], extensions: { fields: ['resumeToken'] }, cause: error });
    case SearchStreamErrorCode.ResumeNotExact:
      return new ApiError({ status: 409, slug: 'resume-not-exact', title: 'The search cannot resume exactly', detail: error.message, cause: error });
    case SearchStreamErrorCode.Aborted:
      return new ApiError({ status: 503, slug: 'aborted', title: 'The request was abandoned', detail: error.message, cause: error });
    case SearchStreamErrorCode.AlreadyIterated:
      return internal(error);
    default:
      return new ApiError({ status: 502, slug: 'upstream-unavailable', title: 'The Genesys Cloud search failed', detail: sentences(error.message, 'Retry later, or resume with the last resume token.'), cause: error });
  }
}

function fromArchive(error: ArchiveError): ApiError {
  switch (error.code) {
    case ArchiveErrorCode.InvalidWindow:
      return new ApiError({ status: 400, slug: 'validation', title: 'The request is invalid', detail: error.message, errors: [{ field: 'window', message: error.message, code: error.code }], extensions: { fields: ['window'] }, cause: error });
    case ArchiveErrorCode.RunLeaseLost:
      return new ApiError({ status: 409, slug: 'archive-busy', title: 'Another replica runs the archive job', detail: error.message, cause: error });
    default:
      return internal(error);
  }
}

function fromStore(error: StoreError): ApiError {
  switch (error.code) {
    case StoreErrorCode.InvalidConversationId:
      return new ApiError({ status: 400, slug: 'validation', title: 'The request is invalid', detail: error.message, errors: [{ field: 'id', message: 'must be a Genesys conversation id (UUID)' }], extensions: { fields: ['id'] }, cause: error });
    case StoreErrorCode.ConnectionFailed:
    case StoreErrorCode.Unavailable:
    case StoreErrorCode.StorageFault:
    case StoreErrorCode.Closed:
      // the cause (host, path, ENOSPC …) is logged, not answered: it describes the API's infrastructure
      return new ApiError({ status: 503, slug: 'database-unavailable', title: 'The database is unavailable', detail: 'The API cannot reach its database right now. Retry later.', headers: { 'Retry-After': '5' }, cause: error });
    case StoreErrorCode.Conflict:
      return new ApiError({ status: 409, slug: 'conflict', title: 'Conflict', detail: sentences(error.message, 'Retry the request.'), cause: error });
    default:
      return internal(error);
  }
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad request',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  413: 'Request body too large',
  415: 'Unsupported media type',
};

function fromHttpException(error: HttpException): ApiError {
  const status = error.getStatus();
  if (status >= 500) return internal(error);
  const response = error.getResponse();
  const message = typeof response === 'object' && response !== null && 'message' in response ? (response as { message: unknown }).message : error.message;
  return new ApiError({
    status,
    slug: status === 404 ? 'not-found' : 'http',
    title: STATUS_TITLES[status] ?? 'Request refused',
    detail: Array.isArray(message) ? message.join('; ') : String(message).replace(/^Cannot (\w+) (.*)$/, 'No route $1 $2.'),
    cause: error,
  });
}

/** Express body-parser errors carry `type` and an HTTP `status` (malformed JSON, too large, bad charset). */
function fromBodyParser(error: unknown): ApiError | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { type, status, statusCode, expose, limit } = error as { type?: unknown; status?: unknown; statusCode?: unknown; expose?: unknown; limit?: unknown };
  const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  if (typeof type !== 'string' || code === undefined || code < 400 || code >= 500 || expose !== true) return undefined;
  switch (type) {
    case 'entity.parse.failed':
      return new ApiError({ status: 400, slug: 'malformed-body', title: 'The body is not valid JSON', detail: 'The request body could not be parsed as JSON. Send a JSON object with Content-Type: application/json.', errors: [{ field: 'body', message: 'is not valid JSON' }], extensions: { fields: ['body'] } });
    case 'entity.too.large':
      return new ApiError({ status: 413, slug: 'body-too-large', title: 'Request body too large', detail: `The request body exceeds the limit of ${typeof limit === 'number' ? `${limit} bytes` : 'GCM_API_BODY_LIMIT'}.`, extensions: typeof limit === 'number' ? { limitBytes: limit } : {} });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new ApiError({ status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type', detail: 'The request body uses a charset or content encoding the API does not read. Send UTF-8 JSON.' });
    default:
      return new ApiError({ status: code, slug: 'http', title: STATUS_TITLES[code] ?? 'Request refused', detail: 'The request body could not be read.' });
  }
}
