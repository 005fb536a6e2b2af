import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggingModuleOptions } from '@gcm/logging/nest';
import { performance } from 'node:perf_hooks';
import { routeOf, type ApiRequest } from '../http/api-request';

/**
 * pino-http's request log line: `msg: "request"` with the request id, method, the route
 * pattern (never the raw URL: paths carry guest tokens), status (499 when the client went
 * away first), duration, the API key's id and the problem type. No request or response
 * objects: headers carry credentials. Warn for a 5xx, info otherwise.
 */
export const requestLog: NonNullable<LoggingModuleOptions['http']> = {
  autoLogging: true,
  // RequestLifecycle, the first middleware, chose the id (the caller's X-Request-Id or a UUID)
  genReqId: (request) => (request as ApiRequest).gcm?.requestId ?? 'unknown',
  quietReqLogger: true,
  quietResLogger: true,
  customAttributeKeys: { reqId: 'requestId' },
  customLogLevel: (_request, response) => (statusOf(response) >= 500 ? 'warn' : 'info'),
  customSuccessMessage: () => 'request',
  customErrorMessage: () => 'request',
  customSuccessObject: (request, response) => requestFields(request, response),
  customErrorObject: (request, response) => requestFields(request, response),
};

function statusOf(response: ServerResponse): number {
  return response.writableFinished ? response.statusCode : 499;
}

function requestFields(incoming: IncomingMessage, response: ServerResponse): Record<string, unknown> {
  const request = incoming as ApiRequest;
  const startedAt = request.gcm?.startedAt;
  return {
    context: 'Http',
    method: request.method,
    route: routeOf(request),
    status: statusOf(response),
    ...(startedAt === undefined ? {} : { durationMs: Math.round((performance.now() - startedAt) * 100) / 100 }),
    ...(request.gcm?.apiKey ? { keyId: request.gcm.apiKey.id } : {}),
    ...(request.gcm?.problem ? { problem: request.gcm.problem } : {}),
  };
}
