import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { OPEN_MESSAGING_SIGNATURE_HEADER, verifyOpenMessagingSignature } from '@gcm/messaging-client';
import { API_CONFIG } from '../config/api-config.token';
import type { ApiConfig } from '../config/api-config';
import type { ApiRequest } from '../http/api-request';
import { WebhookNotConfiguredError } from './webhook-not-configured.error';
import { WebhookSignatureError } from './webhook-signature.error';

/**
 * Authenticates Genesys' Open Messaging webhook by its signature over the raw body bytes,
 * before anything reads the body: an unsigned request learns nothing, not even whether
 * its JSON would have been valid.
 */
@Injectable()
export class OpenMessagingSignatureGuard implements CanActivate {
  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  canActivate(execution: ExecutionContext): boolean {
    const secret = this.config.openMessaging.secret;
    if (!secret) throw new WebhookNotConfiguredError();
    const request = execution.switchToHttp().getRequest<ApiRequest>();
    const raw = request.rawBody ?? Buffer.alloc(0);
    if (!verifyOpenMessagingSignature(raw, request.headers[OPEN_MESSAGING_SIGNATURE_HEADER], secret)) throw new WebhookSignatureError();
    if (request.gcm) request.gcm.actor = 'open-messaging-webhook';
    return true;
  }
}
