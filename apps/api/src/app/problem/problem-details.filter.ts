import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { GcmLogger } from '@gcm/logging';
import { routeOf, type ApiRequest, type ApiResponse } from '../http/api-request';
import type { ApiError } from './api.error';
import { toApiError } from './library-error.mapper';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, type ProblemDetails } from './problem-details';

/**
 * The one place errors become HTTP: every error, whether thrown by a guard, a pipe, a
 * controller or a lib, is answered as RFC 9457 problem+json with the request id.
 * 5xx answers are logged with their cause and the route pattern (never the raw path:
 * paths carry guest tokens); their detail never carries internals.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: GcmLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<ApiRequest>();
    const response = http.getResponse<ApiResponse>();
    const error = toApiError(exception);
    writeProblem(request, response, error, this.logger);
  }
}

export function problemOf(error: ApiError, request: ApiRequest): ProblemDetails {
  return {
    type: error.slug === 'http' ? 'about:blank' : `${PROBLEM_TYPE_PREFIX}${error.slug}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    instance: (request.originalUrl ?? request.url ?? '').split('?')[0],
    ...(request.gcm ? { requestId: request.gcm.requestId } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extensions,
  };
}

/**
 * Marks the request with the problem slug and logs a 5xx with its cause (never shown to the
 * client). Work cancelled because the client hung up is not a failure of the API: the
 * access log has already said 499 at info, so it is not logged again as an error.
 */
export function noteProblem(request: ApiRequest, error: ApiError, logger?: GcmLogger, context = 'ProblemDetails'): void {
  if (request.gcm) request.gcm.problem = error.slug;
  if (error.status < 500) return;
  // the socket may close a moment after the request's 'aborted' event that cancelled the work
  const clientGone = request.gcm?.clientClosed === true || request.socket?.destroyed === true;
  if (clientGone && cancelledByHangUp(error)) {
    if (request.gcm) request.gcm.clientClosed = true;
    return;
  }
  const cause = (error.cause ?? error) as { name?: string; message?: string; stack?: string; toJSON?: () => unknown };
  logger?.write('error', `${request.method} ${routeOf(request)} failed with ${error.status} ${error.slug}`, {
    context,
    route: routeOf(request),
    requestId: request.gcm?.requestId,
    cause: typeof cause.toJSON === 'function' ? cause.toJSON() : { name: cause.name, message: cause.message },
    stack: error.status === 500 ? cause.stack : undefined,
  });
}

/** The error is the abort of work the client no longer waits for (not a failure found meanwhile). */
function cancelledByHangUp(error: ApiError): boolean {
  if (error.slug === 'aborted') return true;
  const cause = error.cause as { name?: unknown } | undefined;
  return cause?.name === 'AbortError';
}

export function writeProblem(request: ApiRequest, response: ApiResponse, error: ApiError, logger?: GcmLogger): void {
  noteProblem(request, error, logger);
  if (response.headersSent) {
    // a streamed answer already started: its own format reports the failure; end it here
    if (!response.writableEnded) response.end();
    return;
  }
  const body = JSON.stringify(problemOf(error, request));
  response.statusCode = error.status;
  for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
  response.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.end(body);
}
