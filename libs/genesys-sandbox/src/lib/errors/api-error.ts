/**
 * Errors the sandbox answers with, in the Platform API's ErrorBody shape. Codes and the
 * stock messages follow what the real API sends (see README "Errors"); where Genesys'
 * exact wording for a case is unknown the message says plainly what was wrong.
 */

export interface ErrorDetail {
  errorCode?: string;
  fieldName?: string;
  entityId?: string;
  entityName?: string;
}

/** The Platform API ErrorBody. */
export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  entityId?: string;
  entityName?: string;
  messageWithParams: string;
  messageParams: Record<string, string>;
  contextId: string;
  details: ErrorDetail[];
  errors: ErrorBody[];
  limit?: { key: string; namespace: string; value: number };
}

export class SandboxApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** Message template; `{name}` placeholders are filled from `params`. */
    readonly template: string,
    readonly params: Record<string, string> = {},
    readonly extra: { details?: ErrorDetail[]; headers?: Record<string, string>; entityId?: string } = {},
  ) {
    super(fillTemplate(template, params));
    this.name = 'SandboxApiError';
  }

  toBody(contextId: string): ErrorBody {
    const body: ErrorBody = {
      message: this.message,
      code: this.code,
      status: this.status,
      messageWithParams: this.template,
      messageParams: this.params,
      contextId,
      details: this.extra.details ?? [],
      errors: [],
    };
    if (this.extra.entityId) body.entityId = this.extra.entityId;
    return body;
  }
}

function fillTemplate(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => params[key] ?? match);
}

/** Factories for the error bodies the sandbox sends. */
export const ApiErrors = {
  notFound(what: string, id: string): SandboxApiError {
    return new SandboxApiError(404, 'not.found', 'The requested resource was not found.', {}, {
      details: [{ errorCode: 'not.found', fieldName: what, entityId: id }],
      entityId: id,
    });
  },
  routeNotFound(): SandboxApiError {
    return new SandboxApiError(404, 'not.found', 'The requested resource was not found.');
  },
  badRequest(message: string, params: Record<string, string> = {}, fieldName?: string): SandboxApiError {
    return new SandboxApiError(400, 'bad.request', message, params, {
      details: fieldName ? [{ errorCode: 'bad.request', fieldName }] : [],
    });
  },
  invalidValue(field: string, value: string, allowed: readonly string[]): SandboxApiError {
    return new SandboxApiError(
      400,
      'invalid.value',
      'Value [{value}] is not valid for field type [{field}]. Allowable values are: {allowed}',
      { value, field, allowed: allowed.join(', ') },
      { details: [{ errorCode: 'invalid.value', fieldName: field }] },
    );
  },
  invalidDate(field: string, value: string): SandboxApiError {
    return new SandboxApiError(
      400,
      'invalid.date',
      'Dates must be specified as ISO-8601 strings. For example: yyyy-MM-ddTHH:mm:ss.SSSZ',
      { field, value },
      { details: [{ errorCode: 'invalid.date', fieldName: field }] },
    );
  },
  authenticationRequired(): SandboxApiError {
    return new SandboxApiError(401, 'authentication.required', 'No authentication bearer token specified in authorization header.');
  },
  badCredentials(): SandboxApiError {
    return new SandboxApiError(401, 'bad.credentials', 'Invalid login credentials.');
  },
  entityTooLarge(limitBytes: number): SandboxApiError {
    return new SandboxApiError(413, 'request.entity.too.large', 'The request is over the size limit. Maximum bytes: {limit}', {
      limit: String(limitBytes),
    });
  },
  unsupportedMediaType(): SandboxApiError {
    return new SandboxApiError(
      415,
      'unsupported.media.type',
      'Unsupported Media Type - Unsupported or incorrect media type, such as an incorrect Content-Type value in the header.',
    );
  },
  tooManyRequests(retryAfterSeconds: number): SandboxApiError {
    return new SandboxApiError(
      429,
      'too.many.requests.retry.after',
      'Rate limit exceeded the maximum. Retry the request in [{retryAfterSeconds}] seconds',
      { retryAfterSeconds: String(retryAfterSeconds) },
      { headers: { 'Retry-After': String(retryAfterSeconds) } },
    );
  },
  internalServerError(): SandboxApiError {
    return new SandboxApiError(
      500,
      'internal.server.error',
      'The server encountered an unexpected condition which prevented it from fulfilling the request.',
    );
  },
  serviceUnavailable(retryAfterSeconds?: number): SandboxApiError {
    return new SandboxApiError(
      503,
      'service.unavailable',
      'Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance).',
      {},
      retryAfterSeconds === undefined ? {} : { headers: { 'Retry-After': String(retryAfterSeconds) } },
    );
  },
  gatewayTimeout(): SandboxApiError {
    return new SandboxApiError(504, 'request.timeout', 'The request timed out.');
  },
};
