export { AuditError, AuditErrorCode } from './lib/audit.error';

export {
  GENESIS_HASH,
  type AuditEntry,
  type AuditLog,
  type AuditOutcome,
  type AuditRecord,
} from './lib/trail/audit-record';
export { AuditTrail, type AuditTrailOptions, type FsyncPolicy } from './lib/trail/audit-trail';
export {
  verifyAuditTrail,
  type AuditIssue,
  type AuditIssueKind,
  type AuditVerification,
  type VerifyOptions,
} from './lib/trail/audit-verifier';

export { REDACTED, Redactor, type RedactionOptions } from './lib/redaction/redactor';

export {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  WEBHOOK_SECRET_PREFIX,
  webhookHeaders,
  webhookSigningKey,
  WebhookVerificationError,
  WebhookVerificationErrorCode,
  type IncomingHeaders,
  type VerifyWebhookOptions,
  type WebhookHeaders,
} from './lib/webhooks/webhook-signature';
export {
  WebhookDispatcher,
  type DeliveryReport,
  type WebhookDispatcherOptions,
  type WebhookEndpoint,
  type WebhookEvent,
} from './lib/webhooks/webhook-dispatcher';

export { AuditMetrics } from './lib/metrics/audit-metrics';

