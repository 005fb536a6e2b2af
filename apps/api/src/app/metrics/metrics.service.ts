import { Injectable } from '@nestjs/common';
import { AuditMetrics } from '@gcm/audit';
import type { DeliveryMetricsListener } from '@gcm/messaging-client';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The API's own prom-client Registry (never the global one, so several apps in one test
 * process do not collide): process metrics, HTTP requests by route pattern, Genesys calls
 * by status, guest sessions held, NDJSON results streamed, plus the audit lib's metrics.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly audit = new AuditMetrics(this.registry);
  private readonly httpDuration = new Histogram({
    name: 'gcm_api_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  private readonly genesysResponses = new Counter({
    name: 'gcm_api_genesys_responses_total',
    help: 'Genesys Cloud HTTP exchanges by status class (retries included)',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly guestSessions = new Gauge({ name: 'gcm_api_guest_sessions', help: 'Guest sessions held open by this instance', registers: [this.registry] });
  readonly searchResults = new Counter({ name: 'gcm_api_search_results_total', help: 'Conversation search results streamed as NDJSON', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gcm_api_' });
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  observeGenesysResponse(status: number | undefined): void {
    this.genesysResponses.inc({ status: status === undefined || status === 0 ? 'none' : `${Math.floor(status / 100)}xx` });
  }

  /** Messaging deliveries (guest sends, agent sends, bulk reads) as gcm_operation_seconds. */
  deliveryListener(): DeliveryMetricsListener {
    return {
      onSent: (event) => this.audit.observe(`messaging.${event.operation}`, 'success', event.latencyMs / 1_000),
      onFailed: (event) => this.audit.observe(`messaging.${event.operation}`, 'failure', event.latencyMs / 1_000),
    };
  }
}
