import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  canonicalJson,
  Clock,
  DEFAULT_RETRY_POLICY,
  fullJitterDelayMs,
  OutboxMessage,
  RandomSource,
  RetryPolicy,
  StoreRepositories,
  systemClock,
} from '@gcm/store';
import { AuditError, AuditErrorCode } from '../audit.error';
import type { AuditMetrics } from '../metrics/audit-metrics';
import { Redactor } from '../redaction/redactor';
import type { AuditLog } from '../trail/audit-record';
import { webhookHeaders } from './webhook-signature';

export interface WebhookEndpoint {
  /** stored as the outbox destination; never the URL, which may carry credentials */
  readonly id: string;
  readonly url: string;
  /** `whsec_…`; several during a rotation (every one signs) */
  readonly secret: string | readonly string[];
  readonly timeoutMs?: number;
}

export interface WebhookEvent {
  /** dotted event type, e.g. conversation.archived */
  readonly type: string;
  readonly data: unknown;
  /** the event's identity: enqueueing the same key again adds nothing */
  readonly idempotencyKey: string;
  /** default: every configured endpoint */
  readonly endpointIds?: readonly string[];
}

export interface WebhookDispatcherOptions {
  readonly store: StoreRepositories;
  readonly endpoints: readonly WebhookEndpoint[];
  /** lease owner name of this dispatcher (default webhooks-<host>-<pid>) */
  readonly owner?: string;
  /** attempts before a delivery is dead-lettered, and the full-jitter backoff */
  readonly retry?: RetryPolicy;
  /** per request (default 10 s) */
  readonly timeoutMs?: number;
  /** deliveries claimed and sent concurrently per round (default 16) */
  readonly batchSize?: number;
  readonly leaseMs?: number;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  readonly fetch?: typeof fetch;
  readonly redactor?: Redactor;
  readonly metrics?: AuditMetrics;
  /** records webhook.delivered and webhook.dead */
  readonly audit?: AuditLog;
}

export interface DeliveryReport {
  readonly claimed: number;
  readonly delivered: number;
  readonly retried: number;
  readonly dead: number;
}

type AttemptResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: string; readonly retryAfterMs?: number };

const MAX_BODY_IN_ERROR = 300;

/**
 * Signed webhook delivery through the store's outbox: enqueue inside the transaction
 * that changes state, then `deliverDue()` (from a scheduler tick or a loop) claims due
 * messages with a lease, POSTs them with Standard Webhooks signatures and records the
 * outcome: done on 2xx, otherwise retried after a full-jitter backoff (Retry-After is
 * honoured) and dead-lettered after the last attempt. Dead or done deliveries can be
 * replayed. The webhook-id is the outbox message id: stable across retries and replays,
 * so receivers deduplicate on it.
 */
export class WebhookDispatcher {
  private readonly store: StoreRepositories;
  private readonly endpoints: ReadonlyMap<string, WebhookEndpoint>;
  readonly owner: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly fetchImpl: typeof fetch;
  private readonly redactor: Redactor;
  private readonly metrics?: AuditMetrics;
  private readonly audit?: AuditLog;

  constructor(options: WebhookDispatcherOptions) {
    this.store = options.store;
    this.endpoints = new Map(options.endpoints.map((endpoint) => [endpoint.id, endpoint]));
    this.owner = options.owner ?? `webhooks-${hostname()}-${process.pid}`;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.batchSize = options.batchSize ?? 16;
    const longestTimeout = Math.max(this.timeoutMs, ...options.endpoints.map((e) => e.timeoutMs ?? 0));
    this.leaseMs = options.leaseMs ?? longestTimeout * 2 + 5_000;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.fetchImpl = options.fetch ?? fetch;
    this.redactor = options.redactor ?? new Redactor();
    this.metrics = options.metrics;
    this.audit = options.audit;
    for (const endpoint of options.endpoints) {
      // nothing that authenticates to an endpoint may surface in an error message
      for (const secret of typeof endpoint.secret === 'string' ? [endpoint.secret] : endpoint.secret) {
        this.redactor.addKnownSecret(secret);
      }
      for (const value of urlCredentials(endpoint.url)) this.redactor.addKnownSecret(value);
    }
  }

  /**
   * Adds one delivery per endpoint. Pass the repositories of your transaction (`tx`) so
   * the deliveries commit with the state change they announce.
   */
  async enqueue(event: WebhookEvent, tx: StoreRepositories = this.store): Promise<OutboxMessage[]> {
    const endpointIds = event.endpointIds ?? [...this.endpoints.keys()];
    const body = canonicalJson({
      type: event.type,
      timestamp: new Date(this.clock.now()).toISOString(),
      data: event.data,
    });
    const messages: OutboxMessage[] = [];
    for (const endpointId of endpointIds) {
      if (!this.endpoints.has(endpointId)) {
        throw new AuditError(
          AuditErrorCode.UnknownWebhookEndpoint,
          `Webhook endpoint "${endpointId}" is not configured; configured: ${[...this.endpoints.keys()].join(', ') || 'none'}.`,
        );
      }
      const { message } = await tx.outbox.enqueue({
        kind: 'webhook',
        destination: endpointId,
        payload: body,
        idempotencyKey: `${event.idempotencyKey}@${endpointId}`,
        maxAttempts: this.retry.maxAttempts,
      });
      messages.push(message);
    }
    return messages;
  }

  /**
   * Claims and attempts every due delivery, batchSize at a time, until none is due. Each
   * delivery is attempted at most once per call, even when its backoff came out as zero.
   */
  async deliverDue(): Promise<DeliveryReport> {
    const report = { claimed: 0, delivered: 0, retried: 0, dead: 0 };
    const attempted = new Set<string>();
    for (;;) {
      const batch = await this.store.outbox.claim('webhook', {
        owner: this.owner,
        limit: this.batchSize,
        leaseMs: this.leaseMs,
      });
      const fresh = batch.filter((message) => !attempted.has(message.id));
      for (const repeat of batch.filter((message) => attempted.has(message.id))) {
        await this.store.outbox.release(repeat.id, this.owner);
      }
      if (fresh.length === 0) return report;
      report.claimed += fresh.length;
      for (const message of fresh) attempted.add(message.id);
      const outcomes = await Promise.all(fresh.map((message) => this.deliver(message)));
      for (const outcome of outcomes) report[outcome]++;
    }
  }

  /** Sends a done or dead delivery again with the same webhook-id. */
  replay(messageId: string): Promise<boolean> {
    return this.store.outbox.replay(messageId);
  }

  deadLetters(limit = 100): Promise<OutboxMessage[]> {
    return this.store.outbox.list('webhook', 'dead', limit);
  }

  private async deliver(message: OutboxMessage): Promise<'delivered' | 'retried' | 'dead'> {
    const started = performance.now();
    const result = await this.attempt(message);
    const seconds = (performance.now() - started) / 1_000;

    if (result.ok) {
      await this.store.outbox.complete(message.id, this.owner);
      this.metrics?.observeWebhookDelivery('delivered', seconds);
      await this.audit?.append({
        actor: this.owner,
        action: 'webhook.delivered',
        target: message.id,
        outcome: 'success',
        latencyMs: Math.round(seconds * 1_000),
        details: { endpoint: message.destination, attempt: message.attempts },
      });
      return 'delivered';
    }

    const jitter = fullJitterDelayMs(message.attempts, this.retry, this.random);
    const retryDelayMs = Math.min(this.retry.maxDelayMs, Math.max(jitter, result.retryAfterMs ?? 0));
    const error = this.redactor.redactString(result.error);
    const outcome = await this.store.outbox.fail(message.id, this.owner, error, { retryDelayMs });
    const dead = outcome?.status === 'dead';
    this.metrics?.observeWebhookDelivery(dead ? 'dead' : 'retry', seconds);
    if (dead) {
      await this.audit?.append({
        actor: this.owner,
        action: 'webhook.dead',
        target: message.id,
        outcome: 'failure',
        details: { endpoint: message.destination, attempts: message.attempts, lastError: error },
      });
    }
    return dead ? 'dead' : 'retried';
  }

  private async attempt(message: OutboxMessage): Promise<AttemptResult> {
    const endpoint = this.endpoints.get(message.destination);
    const name = `webhook endpoint "${message.destination}"`;
    if (endpoint === undefined) {
      return { ok: false, error: `${name} is not configured in this dispatcher` };
    }
    const timeoutMs = endpoint.timeoutMs ?? this.timeoutMs;
    const timestamp = Math.floor(this.clock.now() / 1_000);
    let response: Response;
    try {
      response = await this.fetchImpl(endpoint.url, {
        method: 'POST',
        headers: {
          ...webhookHeaders(endpoint.secret, message.id, timestamp, message.payload),
          'content-type': 'application/json',
          'user-agent': 'gcm-webhooks/1',
        },
        body: message.payload,
        // a signed payload is for this endpoint only: never follow it elsewhere
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return { ok: false, error: `${name}: ${describeFailure(error, timeoutMs)}` };
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 200 && response.status < 300) return { ok: true };
    const snippet = text.trim().slice(0, MAX_BODY_IN_ERROR);
    return {
      ok: false,
      error: `${name} answered HTTP ${response.status}${snippet === '' ? '' : `: ${snippet}`}`,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after'), this.clock.now()),
    };
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return `no response within ${timeoutMs} ms`;
  const cause = failure.cause?.code ?? failure.cause?.message;
  return `request failed (${cause ?? failure.message ?? String(error)})`;
}

function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Password and query values of a URL: they authenticate, so they are secrets. */
function urlCredentials(url: string): string[] {
  try {
    const parsed = new URL(url);
    const values = [decodeURIComponent(parsed.password), ...parsed.searchParams.values()];
    return values.filter((value) => value !== '');
  } catch {
    return [];
  }
}
