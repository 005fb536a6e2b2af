export enum AuditErrorCode {
  /** The trail directory cannot be used (missing permissions, not a directory). */
  TrailUnavailable = 'TRAIL_UNAVAILABLE',
  /** A write to the trail failed; the trail refuses further appends until reopened. */
  WriteFailed = 'WRITE_FAILED',
  /** The trail was used after close(). */
  Closed = 'CLOSED',
  /** A webhook secret is not in the `whsec_<base64>` form. */
  InvalidWebhookSecret = 'INVALID_WEBHOOK_SECRET',
  /** A webhook names an endpoint that is not configured. */
  UnknownWebhookEndpoint = 'UNKNOWN_WEBHOOK_ENDPOINT',
}

export class AuditError extends Error {
  override readonly name = 'AuditError';

  constructor(
    readonly code: AuditErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
