import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { MutationAuditRecorder } from '../audit/mutation-audit.recorder';
import { JsonLogger } from '../logging/json-logger';
import { MetricsService } from '../metrics/metrics.service';
import { routeOf, type ApiRequest } from './api-request';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The first middleware of every request: gives it a request id (the caller's
 * X-Request-Id when it is a plain token, else a new UUID), echoes it in the response, and
 * when the exchange ends writes the access log line, the HTTP metrics and — for mutating
 * requests — the audit record. The access log names the route pattern, never the raw URL,
 * because paths carry guest tokens.
 */
@Injectable()
export class RequestLifecycle {
  constructor(
    private readonly logger: JsonLogger,
    private readonly metrics: MetricsService,
    private readonly audit: MutationAuditRecorder,
  ) {}

  readonly middleware = (incoming: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void): void => {
    const request = incoming as ApiRequest;
    const offered = request.headers['x-request-id'];
    const requestId = typeof offered === 'string' && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
    const startedAt = performance.now();
    request.gcm = { requestId, startedAt, actor: 'anonymous' };
    response.setHeader(REQUEST_ID_HEADER, requestId);
    response.once('close', () => {
      // registered before any handler's abortOnClose: the flag is set when the work it cancels fails
      if (!response.writableFinished && request.gcm) request.gcm.clientClosed = true;
      this.finished(request, response, performance.now() - startedAt);
    });
    next();
  };

  private finished(request: ApiRequest, response: ServerResponse, elapsedMs: number): void {
    const route = routeOf(request);
    // 499 (nginx's "client closed request"): logged here once, at info; the work it cancels fails quietly (noteProblem)
    const status = response.writableFinished ? response.statusCode : 499;
    this.metrics.observeHttp(request.method ?? 'UNKNOWN', route, status, elapsedMs / 1_000);
    this.audit.record(request, response, elapsedMs);
    this.logger.write(status >= 500 ? 'warn' : 'info', 'request', {
      context: 'Http',
      requestId: request.gcm?.requestId,
      method: request.method,
      route,
      status,
      durationMs: Math.round(elapsedMs * 100) / 100,
      ...(request.gcm?.apiKey ? { keyId: request.gcm.apiKey.id } : {}),
      ...(request.gcm?.problem ? { problem: request.gcm.problem } : {}),
    });
  }
}
