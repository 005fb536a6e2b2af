import { Inject, Injectable } from '@nestjs/common';
import type { AuditLog } from '@gcm/audit';
import { AUDIT_LOG } from '@gcm/audit/nest';
import { GcmLogger } from '@gcm/logging';
import { routeOf, type ApiRequest, type ApiResponse } from '../http/api-request';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Writes one audit record per mutating request once its answer is complete (or the
 * client went away): accepted and refused alike, so a 401 storm or a rejected message
 * leaves a trace. The record names the key (never the key itself), the action, the
 * target, the status and the request id; bodies are not recorded.
 */
@Injectable()
export class MutationAuditRecorder {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    private readonly logger: GcmLogger,
  ) {}

  record(request: ApiRequest, response: ApiResponse, latencyMs: number): void {
    const context = request.gcm;
    if (!context || !MUTATING.has(request.method ?? '')) return;
    const completed = response.writableFinished;
    const status = completed ? response.statusCode : 499;
    const write = this.audit
      .append({
        actor: context.actor,
        action: context.audit?.action ?? `http.${(request.method ?? 'unknown').toLowerCase()}`,
        target: context.audit?.target ?? null,
        outcome: completed && status < 400 ? 'success' : 'failure',
        latencyMs: Math.round(latencyMs * 1_000) / 1_000,
        details: {
          requestId: context.requestId,
          method: request.method,
          route: routeOf(request),
          status,
          ...(completed ? {} : { clientClosed: true }),
          ...(context.problem ? { problem: context.problem } : {}),
          ...context.audit?.details,
        },
      })
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.write('error', 'Cannot write the audit record of a mutating request', {
            context: 'Audit',
            requestId: context.requestId,
            error: error instanceof Error ? error.message : String(error),
          }),
      )
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Resolves when every record of requests answered so far is written. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
