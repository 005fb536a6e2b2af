import { ApiError } from '../problem/api.error';

/** 401: the Open Messaging webhook is not signed with the integration's secret. */
export class WebhookSignatureError extends ApiError {
  constructor() {
    super({
      status: 401,
      slug: 'webhook-signature',
      title: 'The webhook signature does not verify',
      detail:
        'X-Hub-Signature-256 must be "sha256=" followed by the base64 HMAC-SHA256 of the raw body under the integration\'s ' +
        'outboundNotificationWebhookSignatureSecretToken (GCM_API_OPEN_MESSAGING_SECRET).',
    });
  }
}
