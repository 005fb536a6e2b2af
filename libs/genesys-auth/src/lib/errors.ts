/**
 * The error taxonomy of every Genesys call. One base class, a subclass per category,
 * chosen by `GenesysApiError.fromResponse` from the real ErrorBody
 * (`{message, code, status, contextId, details[], errors[], limit{}}`).
 *
 * No error ever carries a token, a client secret or request headers: the messages are
 * built from the response body and the method/path only, and pass through
 * `redactSecrets` with the secrets the transport knows about.
 */

export type GenesysErrorCategory =
  | 'auth'
  | 'permission'
  | 'not-found'
  | 'validation'
  | 'conflict'
  | 'rate-limit'
  | 'server'
  | 'connection'
  | 'aborted'
  | 'unknown';

/** The Genesys ErrorBody, as much of it as we read. */
export interface GenesysErrorBody {
  message?: string;
  code?: string;
  status?: number;
  entityId?: string;
  entityName?: string;
  messageWithParams?: string;
  messageParams?: Record<string, string>;
  contextId?: string;
  details?: Array<{ errorCode?: string; fieldName?: string; entityId?: string; entityName?: string }>;
  errors?: GenesysErrorBody[];
  limit?: { key?: string; namespace?: string; value?: number };
}

export interface GenesysApiErrorInit {
  message: string;
  status: number;
  code: string;
  category: GenesysErrorCategory;
  retryable: boolean;
  method?: string;
  path?: string;
  contextId?: string;
  retryAfterMs?: number;
  body?: GenesysErrorBody;
  attempts?: number;
}

export class GenesysApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly category: GenesysErrorCategory;
  readonly retryable: boolean;
  readonly method?: string;
  readonly path?: string;
  /** Genesys correlation id (`contextId` in the body, `ININ-Correlation-Id` header). Quote it to Genesys support. */
  readonly contextId?: string;
  readonly retryAfterMs?: number;
  /** The parsed ErrorBody when Genesys sent one. */
  readonly body?: GenesysErrorBody;
  /** How many attempts were made before giving up (set by the transport). */
  attempts: number;

  constructor(init: GenesysApiErrorInit) {
    super(init.message);
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.category = init.category;
    this.retryable = init.retryable;
    this.method = init.method;
    this.path = init.path;
    this.contextId = init.contextId;
    this.retryAfterMs = init.retryAfterMs;
    this.body = init.body;
    this.attempts = init.attempts ?? 1;
  }

  /** Builds the error of the right category from an HTTP response. */
  static fromResponse(response: GenesysResponseLike): GenesysApiError {
    const body = asErrorBody(response.body);
    const status = response.status;
    const contextId = body?.contextId ?? header(response.headers, 'inin-correlation-id');
    const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'), response.now ?? Date.now());
    const where = response.method && response.path ? `${response.method.toUpperCase()} ${response.path}` : 'request';
    const detail =
      body?.message ??
      (typeof response.body === 'string' && response.body.trim() !== ''
        ? `unexpected ${looksLikeHtml(response.body) ? 'HTML' : 'non-JSON'} response body: ${snippet(response.body)}`
        : (response.statusText ?? 'no response body'));
    const code = body?.code ?? defaultCode(status);
    const init: Omit<GenesysApiErrorInit, 'category' | 'retryable' | 'message'> = {
      status,
      code,
      method: response.method?.toUpperCase(),
      path: response.path,
      contextId,
      retryAfterMs,
      body,
    };
    const suffix = contextId ? ` (contextId ${contextId})` : '';
    const sentence = detail.replace(/[.\s]+$/, '');
    const message = (hint: string) => `Genesys ${where} failed with ${status} ${code}: ${sentence}.${hint}${suffix}`;

    switch (true) {
      case status === 401:
        return new GenesysAuthError({
          ...init,
          message: message(' Check the OAuth client id/secret and that the client is active in this region.'),
        });
      case status === 403:
        return new GenesysPermissionError({
          ...init,
          message: message(' Grant the OAuth client a role with the permission this endpoint needs.'),
        });
      case status === 404:
        return new GenesysNotFoundError({ ...init, message: message('') });
      case status === 409 || status === 412:
        return new GenesysConflictError({ ...init, message: message('') });
      case status === 429:
        return new GenesysRateLimitError({
          ...init,
          message: message(
            retryAfterMs !== undefined ? ` Retry after ${Math.ceil(retryAfterMs / 1000)} s.` : ' Slow down.',
          ),
        });
      case status === 400 || status === 413 || status === 415 || status === 422:
        return new GenesysValidationError({ ...init, message: message('') });
      case status >= 500:
        return new GenesysServerError({
          ...init,
          retryable: RETRYABLE_SERVER_STATUSES.has(status),
          message: message(''),
        });
      default:
        return new GenesysApiError({
          ...init,
          category: 'unknown',
          retryable: false,
          message: message(''),
        });
    }
  }

  /** Safe to log and serialize: no headers, no request data. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      code: this.code,
      category: this.category,
      retryable: this.retryable,
      method: this.method,
      path: this.path,
      contextId: this.contextId,
      retryAfterMs: this.retryAfterMs,
      attempts: this.attempts,
    };
  }
}

type CategoryInit = Omit<GenesysApiErrorInit, 'category' | 'retryable'> & { retryable?: boolean };

export class GenesysAuthError extends GenesysApiError {
  constructor(init: CategoryInit) {
    super({ ...init, category: 'auth', retryable: init.retryable ?? false });
  }
}
export class GenesysPermissionError extends GenesysApiError {
  constructor(init: CategoryInit) {
    super({ ...init, category: 'permission', retryable: false });
  }
}
export class GenesysNotFoundError extends GenesysApiError {
  constructor(init: CategoryInit) {
    super({ ...init, category: 'not-found', retryable: false });
  }
}
export class GenesysValidationError extends GenesysApiError {
  constructor(init: CategoryInit) {
    super({ ...init, category: 'validation', retryable: false });
  }
}
export class GenesysConflictError extends GenesysApiError {
  constructor(init: CategoryInit) {
    super({ ...init, category: 'conflict', retryable: false });
  }
}
export class GenesysRateLimitError extends GenesysApiError {
  constructor(init: CategoryInit) {
    super({ ...init, category: 'rate-limit', retryable: true });
  }
}
export class GenesysServerError extends GenesysApiError {
  constructor(init: CategoryInit) {
    super({ ...init, category: 'server', retryable: init.retryable ?? true });
  }
}
/** No usable HTTP response: reset, refused, timeout, hang-up, a truncated or unparsable body. */
export class GenesysConnectionError extends GenesysApiError {
  /** True when the request certainly never reached the server (e.g. ECONNREFUSED). */
  readonly notSent: boolean;
  constructor(init: CategoryInit & { notSent?: boolean }) {
    super({ ...init, category: 'connection', retryable: init.retryable ?? true });
    this.notSent = init.notSent ?? false;
  }
}
/** The caller aborted the request (AbortSignal). Never retried. */
export class GenesysAbortedError extends GenesysApiError {
  constructor(init: Omit<CategoryInit, 'status' | 'code'>) {
    super({ ...init, status: 0, code: 'aborted', category: 'aborted', retryable: false });
  }
}

/** A bad configuration value; `field` names the option or variable at fault. */
export class GenesysConfigError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'GenesysConfigError';
  }
}

export interface GenesysResponseLike {
  status: number;
  statusText?: string;
  headers?: Record<string, unknown>;
  body?: unknown;
  method?: string;
  path?: string;
  /** Clock reading used to turn an HTTP-date Retry-After into a delay. */
  now?: number;
}

const RETRYABLE_SERVER_STATUSES = new Set([502, 503, 504]);

function defaultCode(status: number): string {
  switch (status) {
    case 400:
      return 'bad.request';
    case 401:
      return 'authentication.required';
    case 403:
      return 'missing.permissions';
    case 404:
      return 'not.found';
    case 409:
      return 'conflict';
    case 429:
      return 'too.many.requests';
    default:
      return status >= 500 ? 'server.error' : `http.${status}`;
  }
}

function asErrorBody(body: unknown): GenesysErrorBody | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body)) return body as GenesysErrorBody;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as GenesysErrorBody;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  if (key === undefined) return undefined;
  const value = headers[key];
  if (Array.isArray(value)) return value[0] === undefined ? undefined : String(value[0]);
  return value === undefined || value === null ? undefined : String(value);
}

/** Retry-After as seconds (`2`) or an HTTP date; negative delays become 0. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function looksLikeHtml(text: string): boolean {
  return /^\s*<(!doctype|html|head|body)/i.test(text);
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}
