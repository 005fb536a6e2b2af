/**
 * `@gcm/audit/nest`: the NestJS wiring of `@gcm/audit` (module, injection tokens, module
 * option types). The main entry `@gcm/audit` holds the framework-free classes and never
 * loads `@nestjs/*`, so a CLI or script pays nothing for Nest (docs/architecture.md).
 */
export { AUDIT_LOG, AuditModule, WebhookModule } from '../lib/audit.module';
export {
  AUDIT_MODULE_OPTIONS,
  WEBHOOK_MODULE_OPTIONS,
  type AuditModuleOptions,
  type WebhookModuleOptions,
} from '../lib/audit.module-definition';
