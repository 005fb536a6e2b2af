import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { RequestContext } from '../http/api-request';
import { RequestValidationError } from '../problem/request-validation.error';
import { fieldProblems } from '../problem/validation.pipe';
import { OpenMessagingWebhookDto, type WebhookReceiptDto } from './webhooks.dto';

const REMEMBERED_IDS = 10_000;

/**
 * Records the outbound messages Genesys reports through the Open Messaging webhook: each
 * one lands in the audit trail (ids, type, sender kind, time — never the text), once,
 * however often Genesys retries its delivery.
 */
@Injectable()
export class WebhooksService {
  private readonly seen = new Set<string>();

  receive(body: unknown, context: RequestContext | undefined): WebhookReceiptDto {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new RequestValidationError([{ field: 'body', message: 'must be a JSON object (an Open Messaging NormalizedMessage)' }]);
    }
    const message = plainToInstance(OpenMessagingWebhookDto, body);
    const errors = validateSync(message, { whitelist: true, forbidNonWhitelisted: false });
    if (errors.length > 0) throw new RequestValidationError(fieldProblems(errors), 'The webhook message');

    const details = {
      messageId: message.id,
      type: message.type,
      direction: message.direction ?? null,
      originatingEntity: message.originatingEntity ?? null,
      integrationId: message.channel?.id ?? null,
      conversationId: message.conversationId ?? null,
      time: message.channel?.time ?? null,
      hasText: typeof message.text === 'string' && message.text.length > 0,
      attachments: Array.isArray(message.content) ? message.content.length : 0,
    };
    const outcome: WebhookReceiptDto =
      message.direction !== 'Outbound'
        ? { recorded: false, messageId: message.id, skipped: 'not-outbound' }
        : this.seen.has(message.id)
          ? { recorded: false, messageId: message.id, skipped: 'duplicate' }
          : { recorded: true, messageId: message.id };
    if (outcome.recorded) this.remember(message.id);
    if (context) {
      context.audit = {
        action: outcome.recorded ? 'open-messaging.outbound.recorded' : 'open-messaging.webhook.skipped',
        target: message.conversationId ?? message.id,
        details: { ...details, ...(outcome.skipped ? { skipped: outcome.skipped } : {}) },
      };
    }
    return outcome;
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > REMEMBERED_IDS) {
      const [oldest] = this.seen;
      this.seen.delete(oldest);
    }
  }
}
