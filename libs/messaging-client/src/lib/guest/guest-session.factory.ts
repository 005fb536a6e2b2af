import type { DeliveryMetricsListener } from '../metrics/delivery-metrics';
import type { MessageValidator } from '../validation/message-validator.service';
import { GuestSession, type GuestSessionOptions } from './guest-session';

/**
 * Opens guest sessions with shared defaults (API base URL, metrics, validator), so an app
 * configures the guest side once and asks only for a deployment id per session.
 */
export class GuestSessionFactory {
  constructor(
    private readonly defaults: Partial<GuestSessionOptions> = {},
    private readonly shared: { metrics?: DeliveryMetricsListener; validator?: MessageValidator } = {},
  ) {}

  open(options: Partial<GuestSessionOptions> & { deploymentId: string }): Promise<GuestSession> {
    return GuestSession.open({
      metrics: this.shared.metrics,
      validator: this.shared.validator,
      ...this.defaults,
      ...options,
    });
  }
}
