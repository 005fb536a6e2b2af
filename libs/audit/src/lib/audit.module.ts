import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { StoreDatabase } from '@gcm/store';
import {
  AUDIT_MODULE_OPTIONS,
  AuditConfigurableModule,
  AuditModuleOptions,
  WEBHOOK_MODULE_OPTIONS,
  WebhookConfigurableModule,
  WebhookModuleOptions,
} from './audit.module-definition';
import { AuditMetrics } from './metrics/audit-metrics';
import { Redactor } from './redaction/redactor';
import type { AuditLog } from './trail/audit-record';
import { AuditTrail } from './trail/audit-trail';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';

/** Injection token of the AuditLog (the AuditTrail), for code that only appends. */
export const AUDIT_LOG = Symbol('AUDIT_LOG');

/**
 * Opens the audit trail on start-up (resuming its chain) and closes it on shutdown.
 * Provides AuditTrail, AUDIT_LOG, Redactor and AuditMetrics (null without a registry).
 */
@Module({
  providers: [
    {
      provide: Redactor,
      inject: [AUDIT_MODULE_OPTIONS],
      useFactory: (options: AuditModuleOptions) => new Redactor(options.redaction),
    },
    {
      provide: AuditMetrics,
      inject: [AUDIT_MODULE_OPTIONS],
      useFactory: (options: AuditModuleOptions) =>
        options.registry === undefined ? null : new AuditMetrics(options.registry),
    },
    {
      provide: AuditTrail,
      inject: [AUDIT_MODULE_OPTIONS, Redactor, AuditMetrics],
      useFactory: (options: AuditModuleOptions, redactor: Redactor, metrics: AuditMetrics | null) =>
        AuditTrail.open({ ...options, redactor, metrics: metrics ?? undefined }),
    },
    { provide: AUDIT_LOG, useExisting: AuditTrail },
  ],
  exports: [AuditTrail, AUDIT_LOG, Redactor, AuditMetrics],
})
export class AuditModule extends AuditConfigurableModule implements OnApplicationShutdown {
  constructor(@Inject(AuditTrail) private readonly trail: AuditTrail) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.trail.close();
  }
}

/**
 * Provides the WebhookDispatcher over the app's StoreDatabase (import StoreModule with
 * isGlobal, or make it otherwise visible). Uses the AuditModule's trail, redactor and
 * metrics when those are visible too. Call `deliverDue()` from a scheduled job.
 */
@Module({
  providers: [
    {
      provide: WebhookDispatcher,
      inject: [
        WEBHOOK_MODULE_OPTIONS,
        StoreDatabase,
        { token: AUDIT_LOG, optional: true },
        { token: Redactor, optional: true },
        { token: AuditMetrics, optional: true },
      ],
      useFactory: (
        options: WebhookModuleOptions,
        store: StoreDatabase,
        audit: AuditLog | undefined,
        redactor: Redactor | undefined,
        metrics: AuditMetrics | null | undefined,
      ) =>
        new WebhookDispatcher({
          ...options,
          store,
          audit,
          // shared on purpose: the endpoint secrets it learns are then scrubbed from the
          // audit trail as well
          redactor,
          metrics: metrics ?? undefined,
        }),
    },
  ],
  exports: [WebhookDispatcher],
})
export class WebhookModule extends WebhookConfigurableModule {}
