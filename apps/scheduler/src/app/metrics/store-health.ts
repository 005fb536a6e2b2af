import type { StoreHealthObserver } from '@gcm/store';
import type { GcmLogger } from '@gcm/logging';
import type { SchedulerMetrics } from './scheduler-metrics';

/**
 * Says what the database is going through where operators look: one error line when an
 * outage begins (not one per tick or per retried statement), one line when it is back,
 * and every classified failure counted in gcm_store_errors_total{class}.
 */
export function storeHealthReporter(logger: GcmLogger, metrics: SchedulerMetrics): StoreHealthObserver {
  return {
    fault: (event) => metrics.storeFault(event.faultClass),
    unavailable: (event) => logger.emit('error', event.message, { faultClass: event.faultClass, code: event.code }, 'Store'),
    recovered: (event) => logger.emit('info', event.message, { downMs: event.downMs }, 'Store'),
  };
}
