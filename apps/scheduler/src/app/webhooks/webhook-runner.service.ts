import { Inject, Injectable, Optional } from '@nestjs/common';
import { WebhookDispatcher, type DeliveryReport } from '@gcm/audit';
import { GcmLogger } from '@gcm/logging';

/** Delivers due archive.completed / archive.failed events from the outbox (when an endpoint is configured). */
@Injectable()
export class WebhookRunner {
  private running = false;

  constructor(
    @Optional() @Inject(WebhookDispatcher) private readonly dispatcher: WebhookDispatcher | null,
    @Inject(GcmLogger) private readonly logger: GcmLogger,
  ) {}

  async deliverDue(): Promise<DeliveryReport | undefined> {
    if (!this.dispatcher || this.running) return undefined;
    this.running = true;
    try {
      const report = await this.dispatcher.deliverDue();
      if (report.claimed > 0) this.logger.emit('info', 'Webhook deliveries attempted', { ...report }, WebhookRunner.name);
      return report;
    } catch (error) {
      this.logger.emit('error', `Webhook delivery failed: ${(error as Error).message}`, {}, WebhookRunner.name);
      return undefined;
    } finally {
      this.running = false;
    }
  }
}
