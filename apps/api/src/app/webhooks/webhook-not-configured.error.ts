import { ApiError } from '../problem/api.error';

/** 404: this API instance takes no Open Messaging webhooks (no secret configured). */
export class WebhookNotConfiguredError extends ApiError {
  constructor() {
    super({
      status: 404,
      slug: 'webhook-not-configured',
      title: 'Open Messaging webhooks are not enabled',
      detail: 'This API has no Open Messaging secret (GCM_API_OPEN_MESSAGING_SECRET), so it accepts no webhooks.',
    });
  }
}
