import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Clock } from '@gcm/genesys-auth';
import {
  DEFAULT_TEXT_LIMIT,
  GuestSessionFactory,
  MessageValidator,
  WebMessagingError,
  WebMessagingErrorCode,
  type GuestSession,
  type WebMessagingMessage,
} from '@gcm/messaging-client';
import { performance } from 'node:perf_hooks';
import { grants, type ApiKeyDefinition } from '../auth/api-key';
import { API_CLOCK, API_CONFIG } from '../config/api-config.token';
import type { ApiConfig } from '../config/api-config';
import { MetricsService } from '../metrics/metrics.service';
import { RequestValidationError } from '../problem/request-validation.error';
import { toApiError } from '../problem/library-error.mapper';
import { API_RUNTIME, type ApiRuntime } from '../api-runtime';
import { GuestSessionNotFoundError } from './guest-session-not-found.error';
import { GuestSessionRegistry, type GuestSessionEntry } from './guest-session.registry';
import type { CreateGuestSessionDto, GuestHistoryDto, GuestSessionDto, SendGuestMessageDto, SentGuestMessageDto } from './guest-sessions.dto';

const GUEST_MESSAGES_PER_SECOND = 2;

/**
 * Guest sessions on behalf of API callers: opens the web messaging guest WebSocket per
 * session (through GuestSessionFactory), keeps it in a bounded registry, and sends through
 * it — every message validated against the session's limits before it leaves, and paced
 * to the guest rate limit by the session itself.
 */
@Injectable()
export class GuestSessionsService implements OnModuleInit, OnApplicationShutdown {
  readonly registry: GuestSessionRegistry;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly factory: GuestSessionFactory,
    private readonly validator: MessageValidator,
    private readonly metrics: MetricsService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(API_CLOCK) private readonly clock: Clock,
    @Inject(API_RUNTIME) private readonly runtime: ApiRuntime,
  ) {
    this.registry = new GuestSessionRegistry({
      maxSessions: config.guest.maxSessions,
      idleTimeoutMs: config.guest.idleTimeoutMs,
      clock,
      onChange: (size) => metrics.guestSessions.set(size),
    });
  }

  onModuleInit(): void {
    const every = Math.max(1_000, Math.min(60_000, Math.floor(this.config.guest.idleTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.registry.sweepIdle(), every);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.registry.disconnectAll();
  }

  async open(owner: ApiKeyDefinition, request: CreateGuestSessionDto): Promise<GuestSessionDto> {
    const allowed = this.config.guest.deploymentIds;
    if (allowed && !allowed.includes(request.deploymentId)) {
      throw new RequestValidationError([{ field: 'deploymentId', message: 'is not a deployment this API serves (GCM_API_DEPLOYMENT_IDS)', code: 'DEPLOYMENT_NOT_ALLOWED' }]);
    }
    const session = await this.factory.open({
      deploymentId: request.deploymentId,
      ...(this.config.guest.origin ? { origin: this.config.guest.origin } : {}),
      ...this.runtime.guest,
    });
    if (request.customAttributes) {
      // checked as a message that carries only them: the body rules (no text yet) do not apply
      const violations = this.validator
        .checkGuestMessage({ customAttributes: request.customAttributes }, session.limits)
        .filter((v) => v.field.startsWith('customAttributes'));
      if (violations.length > 0) {
        session.disconnect();
        throw new RequestValidationError(violations.map((v) => ({ field: v.field, message: v.message, code: v.code })));
      }
    }
    this.registry.add({ session, ownerKeyId: owner.id, customAttributes: request.customAttributes, lastUsedAt: this.clock.now() });
    return this.describe(session);
  }

  async send(owner: ApiKeyDefinition, token: string, request: SendGuestMessageDto): Promise<SentGuestMessageDto> {
    const entry = this.entry(owner, token);
    this.assertUsable(entry.session);
    const customAttributes = entry.customAttributes || request.customAttributes ? { ...entry.customAttributes, ...request.customAttributes } : undefined;
    const attachment = request.attachment
      ? { fileName: request.attachment.fileName, mimeType: request.attachment.mimeType, bytes: Buffer.from(request.attachment.contentBase64, 'base64') }
      : undefined;
    if (request.text == null && attachment === undefined) {
      throw new RequestValidationError([{ field: 'text', message: 'is required unless an attachment is sent', code: 'EMPTY_BODY' }]);
    }
    const started = performance.now();
    const echo = await entry.session.sendMessage({ text: request.text ?? undefined, customAttributes, attachment });
    const attachmentId = echo.content?.find((c) => c.contentType === 'Attachment')?.attachment?.id;
    return {
      messageId: echo.id,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      ...(typeof attachmentId === 'string' ? { attachmentId } : {}),
    };
  }

  async history(owner: ApiKeyDefinition, token: string, limit: number): Promise<GuestHistoryDto> {
    const entry = this.entry(owner, token);
    const items: GuestHistoryDto['items'] = [];
    let truncated = false;
    for await (const message of entry.session.history({ pageSize: Math.min(100, limit + 1) })) {
      if (items.length === limit) {
        truncated = true;
        break;
      }
      items.push(historyItem(message));
    }
    return { items, truncated };
  }

  async close(owner: ApiKeyDefinition, token: string): Promise<void> {
    const entry = this.entry(owner, token);
    this.registry.remove(token);
    try {
      await entry.session.closeSession();
    } catch (error) {
      // the session is gone from here either way; a Genesys that cannot be told is not the caller's problem
      if (!(error instanceof WebMessagingError)) throw error;
    }
  }

  private entry(owner: ApiKeyDefinition, token: string): GuestSessionEntry {
    const entry = this.registry.use(token);
    if (!entry || (entry.ownerKeyId !== owner.id && !grants(owner, 'admin'))) throw new GuestSessionNotFoundError();
    return entry;
  }

  private assertUsable(session: GuestSession): void {
    if (session.state === 'expired') {
      throw toApiError(new WebMessagingError({ code: WebMessagingErrorCode.SessionExpired, message: 'The guest session expired on Genesys.' }));
    }
    if (session.state === 'closed') {
      throw toApiError(new WebMessagingError({ code: WebMessagingErrorCode.Closed, message: 'The guest session was closed.' }));
    }
  }

  private describe(session: GuestSession): GuestSessionDto {
    const limits = session.limits;
    return {
      token: session.token,
      deploymentId: session.deploymentId,
      newSession: session.session.newSession !== false,
      ...(limits.expirationDate !== undefined ? { expiresAt: new Date(limits.expirationDate * 1_000).toISOString() } : {}),
      ...(limits.durationSeconds !== undefined ? { durationSeconds: limits.durationSeconds } : {}),
      limits: {
        maxTextLength: DEFAULT_TEXT_LIMIT,
        allowedMimeTypes: [...(limits.allowedMimeTypes ?? [])],
        ...(limits.maxSizeBytes !== undefined ? { maxAttachmentBytes: limits.maxSizeBytes } : {}),
        blockedExtensions: [...(limits.blockedExtensions ?? [])],
        ...(limits.maxCustomDataBytes !== undefined ? { maxCustomDataBytes: limits.maxCustomDataBytes } : {}),
        readOnly: limits.readOnly === true,
        messagesPerSecond: GUEST_MESSAGES_PER_SECOND,
      },
    };
  }
}

function historyItem(message: WebMessagingMessage): GuestHistoryDto['items'][number] {
  const m = message as WebMessagingMessage & Record<string, unknown>;
  const channel = (m['channel'] ?? {}) as { time?: unknown };
  return {
    id: String(m.id),
    type: String(m['type'] ?? 'Unknown'),
    ...(typeof m['direction'] === 'string' ? { direction: m['direction'] } : {}),
    ...(typeof m['text'] === 'string' ? { text: m['text'] } : {}),
    ...(typeof channel.time === 'string' ? { time: channel.time } : {}),
    ...(typeof m['originatingEntity'] === 'string' ? { originatingEntity: m['originatingEntity'] } : {}),
    ...(Array.isArray(m['content']) && m['content'].length > 0 ? { content: m['content'] as Array<Record<string, unknown>> } : {}),
  };
}
