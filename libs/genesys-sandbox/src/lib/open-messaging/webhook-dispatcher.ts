import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ClientRequest, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isoString } from '../clock/sandbox-clock';
import { SandboxTimers } from '../clock/sandbox-timers';
import { ConversationChange, SandboxWorld } from '../data/sandbox-world';
import { renderOpenOutboundMessage } from '../render/open-outbound-message.mapper';
import type { ResolvedWebhookDeliveryOptions } from '../sandbox-options';
import { SandboxStats } from '../stats/sandbox-stats';
import { OpenIntegrationsRegistry } from './open-integrations.registry';

export interface WebhookAttempt {
  /** Sandbox clock time the POST started. */
  at: string;
  /** HTTP status, when an answer came. */
  status?: number;
  /** Why there was no usable answer: `timeout` or the connection error code. */
  error?: string;
}

export interface WebhookDelivery {
  id: string;
  integrationId: string;
  conversationId: string;
  messageId: string;
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: WebhookAttempt[];
}

export interface WebhookDispatcherEvents {
  /** One POST finished (answered or not). */
  attempt: [WebhookDelivery, WebhookAttempt];
  /** A delivery ended: delivered, or failed for good. */
  settled: [WebhookDelivery];
}

export interface WebhookDispatcherDeps {
  world: SandboxWorld;
  integrations: OpenIntegrationsRegistry;
  timers: SandboxTimers;
  stats: SandboxStats;
  options: ResolvedWebhookDeliveryOptions;
  apiBaseUrl: () => string;
}

/** Answers worth another try, as Genesys documents for its webhooks: timeouts, 429 and 5xx. */
function retryable(attempt: WebhookAttempt): boolean {
  return attempt.status === undefined || attempt.status === 429 || attempt.status >= 500;
}

/** `sha256=` + base64 HMAC-SHA256 of the exact body bytes (base64, not hex). */
export function openMessagingSignature(body: Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
}

/**
 * Outbound Open Messaging webhooks: every outbound message (agent or agentless) of an open
 * conversation whose integration has a webhook is POSTed there, signed with
 * X-Hub-Signature-256, and retried on a timeout, a connection error, 429 or 5xx up to
 * `maxRetries` times, `retryDelayMs` apart on the sandbox clock. Each POST itself runs in
 * real time (the receiver is a real server) with `timeoutMs`.
 */
export class WebhookDispatcher extends EventEmitter<WebhookDispatcherEvents> {
  private readonly all: WebhookDelivery[] = [];
  private readonly inFlight = new Set<ClientRequest>();
  private readonly cancelRetries = new Set<() => void>();
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly deps: WebhookDispatcherDeps) {
    super();
    deps.world.on('conversation.changed', (change) => this.onConversationChanged(change));
  }

  deliveries(): WebhookDelivery[] {
    return this.all.map((d) => ({ ...d, attempts: d.attempts.map((a) => ({ ...a })) }));
  }

  /** Resolves once no POST is on the wire (retries waiting on the sandbox clock do not count). */
  whenIdle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const cancel of [...this.cancelRetries]) cancel();
    for (const req of [...this.inFlight]) req.destroy();
  }

  private onConversationChanged(change: ConversationChange): void {
    if (change.kind !== 'message' || !change.messageId || this.closed) return;
    const conversation = this.deps.world.conversation(change.conversationId);
    if (!conversation || conversation.kind !== 'open') return;
    const message = conversation.messages.find((m) => m.id === change.messageId);
    if (!message || message.direction !== 'outbound') return;
    const integration = this.deps.integrations.get(conversation.channelId);
    if (!integration?.webhookUrl || integration.secret === undefined) return;
    const body = Buffer.from(JSON.stringify(renderOpenOutboundMessage(this.deps.apiBaseUrl(), conversation, message)), 'utf8');
    const delivery: WebhookDelivery = {
      id: this.deps.world.ids.uuid('webhook-delivery'),
      integrationId: integration.id,
      conversationId: conversation.id,
      messageId: message.id,
      url: integration.webhookUrl,
      state: 'pending',
      attempts: [],
    };
    this.all.push(delivery);
    this.attempt(delivery, body, openMessagingSignature(body, integration.secret));
  }

  private attempt(delivery: WebhookDelivery, body: Buffer, signature: string): void {
    const attempt: WebhookAttempt = { at: isoString(this.deps.world.clock.now()) };
    delivery.attempts.push(attempt);
    this.deps.stats.recordWebhook('attempts');
    const url = new URL(delivery.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let finished = false;
    const req = send(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(body.length),
          'X-Hub-Signature-256': signature,
          'User-Agent': 'genesys-sandbox-open-messaging',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => finish({ status: res.statusCode ?? 0 }));
        res.on('error', () => finish({ status: res.statusCode ?? 0 }));
      },
    );
    const timer = setTimeout(() => {
      finish({ error: 'timeout' });
      req.destroy();
    }, this.deps.options.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? 'connection error' }));
    this.inFlight.add(req);
    req.end(body);

    const finish = (outcome: { status?: number; error?: string }) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.inFlight.delete(req);
      Object.assign(attempt, outcome);
      this.afterAttempt(delivery, attempt, body, signature);
      if (this.inFlight.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    };
  }

  private afterAttempt(delivery: WebhookDelivery, attempt: WebhookAttempt, body: Buffer, signature: string): void {
    const { stats, options, timers } = this.deps;
    if (attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300) {
      delivery.state = 'delivered';
      stats.recordWebhook('delivered');
    } else if (!this.closed && retryable(attempt) && delivery.attempts.length <= options.maxRetries) {
      stats.recordWebhook('retried');
      const cancel = timers.after(options.retryDelayMs, () => {
        this.cancelRetries.delete(cancel);
        this.attempt(delivery, body, signature);
      });
      this.cancelRetries.add(cancel);
    } else {
      delivery.state = 'failed';
      stats.recordWebhook('failed');
    }
    this.emit('attempt', delivery, attempt);
    if (delivery.state !== 'pending') this.emit('settled', delivery);
  }
}
