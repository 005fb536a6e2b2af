import { Counter, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Latency histograms and counters on the Registry the app passes in (never prom-client's
 * global one). Several instances on one registry share the same metrics.
 *
 * - gcm_audit_append_seconds{outcome} / gcm_audit_records_total{outcome}
 * - gcm_webhook_delivery_seconds{outcome} / gcm_webhook_deliveries_total{outcome}
 *   (outcome: delivered, retry, dead)
 * - gcm_operation_seconds{operation,outcome} / gcm_operations_total{operation,outcome}:
 *   a hook for any timed operation (e.g. archiving one conversation)
 */
export class AuditMetrics {
  private readonly auditAppend: Histogram<'outcome'>;
  private readonly auditRecords: Counter<'outcome'>;
  private readonly webhookDelivery: Histogram<'outcome'>;
  private readonly webhookDeliveries: Counter<'outcome'>;
  private readonly operation: Histogram<'operation' | 'outcome'>;
  private readonly operations: Counter<'operation' | 'outcome'>;

  constructor(readonly registry: Registry) {
    const histogram = <L extends string>(name: string, help: string, labelNames: L[]): Histogram<L> =>
      (registry.getSingleMetric(name) as Histogram<L> | undefined) ??
      new Histogram<L>({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [registry] });
    const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
      (registry.getSingleMetric(name) as Counter<L> | undefined) ??
      new Counter<L>({ name, help, labelNames, registers: [registry] });

    this.auditAppend = histogram('gcm_audit_append_seconds', 'Time from append() to the record being written', ['outcome']);
    this.auditRecords = counter('gcm_audit_records_total', 'Audit records written, by outcome', ['outcome']);
    this.webhookDelivery = histogram('gcm_webhook_delivery_seconds', 'Duration of webhook delivery attempts', ['outcome']);
    this.webhookDeliveries = counter('gcm_webhook_deliveries_total', 'Webhook delivery attempts, by outcome', ['outcome']);
    this.operation = histogram('gcm_operation_seconds', 'Duration of timed operations', ['operation', 'outcome']);
    this.operations = counter('gcm_operations_total', 'Timed operations, by outcome', ['operation', 'outcome']);
  }

  observeAuditAppend(outcome: string, seconds: number): void {
    this.auditAppend.observe({ outcome }, seconds);
    this.auditRecords.inc({ outcome });
  }

  observeWebhookDelivery(outcome: 'delivered' | 'retry' | 'dead', seconds: number): void {
    this.webhookDelivery.observe({ outcome }, seconds);
    this.webhookDeliveries.inc({ outcome });
  }

  observe(operation: string, outcome: 'success' | 'failure', seconds: number): void {
    this.operation.observe({ operation, outcome }, seconds);
    this.operations.inc({ operation, outcome });
  }

  /** Times `run` and records it as success or failure (the error is rethrown). */
  async time<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      this.observe(operation, 'success', (performance.now() - started) / 1_000);
      return result;
    } catch (error) {
      this.observe(operation, 'failure', (performance.now() - started) / 1_000);
      throw error;
    }
  }
}
