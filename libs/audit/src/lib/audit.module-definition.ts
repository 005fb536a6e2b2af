import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { RedactionOptions } from './redaction/redactor';
import type { AuditTrailOptions } from './trail/audit-trail';
import type { WebhookDispatcherOptions } from './webhooks/webhook-dispatcher';

export interface AuditModuleOptions extends Omit<AuditTrailOptions, 'redactor' | 'metrics'> {
  /** PII keys and known secrets to scrub (secret keys are always scrubbed) */
  readonly redaction?: RedactionOptions;
  /** the app's prom-client registry; no metrics when omitted */
  readonly registry?: Registry;
}

export const {
  ConfigurableModuleClass: AuditConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUDIT_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<AuditModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

export type WebhookModuleOptions = Omit<WebhookDispatcherOptions, 'store' | 'metrics' | 'audit' | 'redactor'>;

export const {
  ConfigurableModuleClass: WebhookConfigurableModule,
  MODULE_OPTIONS_TOKEN: WEBHOOK_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<WebhookModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
