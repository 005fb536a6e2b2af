import type { Clock, GenesysLogger } from '@gcm/genesys-auth';

/** Every operation the messaging client measures. */
export type MessagingOperation =
  | 'conversation.get'
  | 'messageConversation.get'
  | 'messages.bulk'
  | 'message.get'
  | 'agent.send'
  | 'agent.mediaUpload'
  | 'agentless.send'
  | 'participant.update'
  | 'open.inboundMessage'
  | 'open.inboundReceipt'
  | 'guest.configureSession'
  | 'guest.sendText'
  | 'guest.sendAttachment'
  | 'guest.getJwt'
  | 'guest.history'
  | 'guest.closeSession';

export interface DeliveryContext {
  conversationId?: string;
  /** Genesys id of the message the operation produced or read, when there is one. */
  messageId?: string;
  /** Number of items a batch operation carried (bulk ids, history page). */
  items?: number;
}

export interface DeliverySentEvent extends DeliveryContext {
  operation: MessagingOperation;
  latencyMs: number;
  /** Epoch ms when the operation finished. */
  at: number;
}

export interface DeliveryFailedEvent extends DeliverySentEvent {
  /** Class name and code of the error, never its payload (no secrets, no message bodies). */
  errorName: string;
  errorCode: string;
  status?: number;
}

export interface DeliveryRejectedEvent extends DeliveryContext {
  operation: MessagingOperation;
  at: number;
  /** Violation codes, e.g. ["TEXT_TOO_LONG"]. */
  violations: string[];
}

/**
 * Hooks the audit lib (or a Prometheus exporter) subscribes to. Every hook is optional and
 * called synchronously; a hook that throws is logged and ignored, so metrics never break
 * delivery.
 */
export interface DeliveryMetricsListener {
  onSent?(event: DeliverySentEvent): void;
  onFailed?(event: DeliveryFailedEvent): void;
  /** Validation refused the message before anything reached the network. */
  onRejected?(event: DeliveryRejectedEvent): void;
}

export const noopDeliveryMetrics: DeliveryMetricsListener = {};

/** Fans one stream of events out to several listeners. */
export function composeDeliveryMetrics(...listeners: Array<DeliveryMetricsListener | undefined>): DeliveryMetricsListener {
  const active = listeners.filter((l): l is DeliveryMetricsListener => l !== undefined);
  return {
    onSent: (event) => active.forEach((l) => l.onSent?.(event)),
    onFailed: (event) => active.forEach((l) => l.onFailed?.(event)),
    onRejected: (event) => active.forEach((l) => l.onRejected?.(event)),
  };
}

export interface OperationStats {
  sent: number;
  failed: number;
  rejected: number;
  latency: { count: number; minMs: number; maxMs: number; meanMs: number; p50Ms: number; p95Ms: number };
}

/**
 * Counts and latency percentiles per operation, in memory. Keeps at most
 * `maxSamplesPerOperation` latency samples per operation (the most recent ones), so memory
 * stays flat on long runs.
 */
export class InMemoryDeliveryMetrics implements DeliveryMetricsListener {
  private readonly stats = new Map<MessagingOperation, { sent: number; failed: number; rejected: number; samples: number[] }>();

  constructor(private readonly maxSamplesPerOperation = 10_000) {}

  onSent(event: DeliverySentEvent): void {
    const entry = this.entry(event.operation);
    entry.sent++;
    this.sample(entry.samples, event.latencyMs);
  }

  onFailed(event: DeliveryFailedEvent): void {
    const entry = this.entry(event.operation);
    entry.failed++;
    this.sample(entry.samples, event.latencyMs);
  }

  onRejected(event: DeliveryRejectedEvent): void {
    this.entry(event.operation).rejected++;
  }

  snapshot(): Partial<Record<MessagingOperation, OperationStats>> {
    const out: Partial<Record<MessagingOperation, OperationStats>> = {};
    for (const [operation, entry] of this.stats) {
      const sorted = [...entry.samples].sort((a, b) => a - b);
      const count = sorted.length;
      const pick = (q: number) => (count === 0 ? 0 : sorted[Math.min(count - 1, Math.ceil(q * count) - 1)]);
      out[operation] = {
        sent: entry.sent,
        failed: entry.failed,
        rejected: entry.rejected,
        latency: {
          count,
          minMs: count ? sorted[0] : 0,
          maxMs: count ? sorted[count - 1] : 0,
          meanMs: count ? sorted.reduce((a, b) => a + b, 0) / count : 0,
          p50Ms: pick(0.5),
          p95Ms: pick(0.95),
        },
      };
    }
    return out;
  }

  private entry(operation: MessagingOperation) {
    let entry = this.stats.get(operation);
    if (!entry) {
      entry = { sent: 0, failed: 0, rejected: 0, samples: [] };
      this.stats.set(operation, entry);
    }
    return entry;
  }

  private sample(samples: number[], value: number): void {
    samples.push(value);
    if (samples.length > this.maxSamplesPerOperation) samples.shift();
  }
}

/** Runs operations and reports them to the listener; what every client method goes through. */
export class DeliveryTracker {
  constructor(
    private readonly listener: DeliveryMetricsListener,
    private readonly clock: Clock,
    private readonly logger: GenesysLogger,
  ) {}

  async track<T>(
    operation: MessagingOperation,
    context: DeliveryContext,
    run: () => Promise<T>,
    describe?: (result: T) => DeliveryContext,
  ): Promise<T> {
    const started = this.clock.now();
    try {
      const result = await run();
      const at = this.clock.now();
      this.emit('onSent', { operation, ...context, ...describe?.(result), latencyMs: at - started, at });
      return result;
    } catch (error) {
      const at = this.clock.now();
      const failure = error as { name?: string; code?: unknown; status?: unknown; violations?: Array<{ code: string }> };
      if (Array.isArray(failure.violations)) {
        this.emit('onRejected', { operation, ...context, at, violations: failure.violations.map((v) => v.code) });
      } else {
        this.emit('onFailed', {
          operation,
          ...context,
          latencyMs: at - started,
          at,
          errorName: failure.name ?? 'Error',
          errorCode: failure.code === undefined ? 'UNKNOWN' : String(failure.code),
          status: typeof failure.status === 'number' ? failure.status : undefined,
        });
      }
      throw error;
    }
  }

  rejected(operation: MessagingOperation, context: DeliveryContext, violations: Array<{ code: string }>): void {
    this.emit('onRejected', { operation, ...context, at: this.clock.now(), violations: violations.map((v) => v.code) });
  }

  private emit<K extends keyof DeliveryMetricsListener>(hook: K, event: Parameters<NonNullable<DeliveryMetricsListener[K]>>[0]): void {
    try {
      (this.listener[hook] as ((e: typeof event) => void) | undefined)?.call(this.listener, event);
    } catch (error) {
      this.logger.warn?.('A delivery metrics listener threw; ignored', { hook, error: (error as Error)?.message });
    }
  }
}
