import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { MutationAuditRecorder } from '../audit/mutation-audit.recorder';
import { GcmLogger } from '@gcm/logging';
import { MetricsService } from '../metrics/metrics.service';
import { routeOf, type ApiRequest } from './api-request';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The first middleware of every request: gives it a request id (the caller's
 * X-Request-Id when it is a plain token, else a new UUID), echoes it in the response, and
 * when the exchange ends writes the HTTP metrics and — for mutating requests — the audit
 * record. Every line logged while the request is handled carries its id (the logger's scope);
 * the access log line itself is pino-http's (logging/request-log.ts).
 */
@Injectable()
export class RequestLifecycle {
  constructor(
    private readonly logger: GcmLogger,
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
    this.logger.scope.run({ requestId }, next);
  };

  private finished(request: ApiRequest, response: ServerResponse, elapsedMs: number): void {
    const route = routeOf(request);
    // 499 (nginx's "client closed request"): logged here once, at info; the work it cancels fails quietly (noteProblem)
    const status = response.writableFinished ? response.statusCode : 499;
    this.metrics.observeHttp(request.method ?? 'UNKNOWN', route, status, elapsedMs / 1_000);
    this.audit.record(request, response, elapsedMs);
  }
}
