import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuditError, AuditErrorCode } from '../audit.error';

/*
 * Standard Webhooks (standardwebhooks.com) signatures:
 *   webhook-id:        unique per message, the same on every retry
 *   webhook-timestamp: integer seconds since the epoch of this attempt
 *   webhook-signature: space-separated "v1,<base64 HMAC-SHA256(key, `${id}.${timestamp}.${body}`)>"
 * where the key is the base64-decoded part of a `whsec_<base64>` secret.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** A new random secret in the `whsec_<base64>` form. */
export function generateWebhookSecret(bytes = 32): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** The signing key of a `whsec_` secret. The error never repeats the secret. */
export function webhookSigningKey(secret: string): Buffer {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : undefined;
  const key = encoded !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
  if (key === undefined || key.length < 16) {
    throw new AuditError(
      AuditErrorCode.InvalidWebhookSecret,
      'A webhook secret must look like whsec_<base64 of at least 16 random bytes>; generate one with generateWebhookSecret().',
    );
  }
  return key;
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string | Buffer): string {
  return `v1,${hmac(webhookSigningKey(secret), id, String(timestampSeconds), body).toString('base64')}`;
}

/**
 * The three headers of a delivery. Several secrets (during a rotation) give several
 * signatures; a receiver accepts the message when any of them matches its secret.
 */
export function webhookHeaders(
  secrets: string | readonly string[],
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
): WebhookHeaders {
  const all = typeof secrets === 'string' ? [secrets] : secrets;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': all.map((secret) => signWebhook(secret, id, timestampSeconds, body)).join(' '),
  };
}

export enum WebhookVerificationErrorCode {
  MissingHeaders = 'MISSING_HEADERS',
  InvalidTimestamp = 'INVALID_TIMESTAMP',
  TimestampTooOld = 'TIMESTAMP_TOO_OLD',
  TimestampTooNew = 'TIMESTAMP_TOO_NEW',
  NoMatchingSignature = 'NO_MATCHING_SIGNATURE',
}

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';

  constructor(
    readonly code: WebhookVerificationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifyWebhookOptions {
  /** how far the timestamp may be from now, either way (default 300 s) */
  readonly toleranceSeconds?: number;
  /** the receiver's current time (default Date.now()) */
  readonly now?: Date | number;
}

export type IncomingHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * For receivers: checks a delivery's timestamp and signature, comparing signatures in
 * constant time. Returns the message id (deduplicate on it: retries repeat it) and
 * timestamp; throws WebhookVerificationError otherwise. Pass the raw body bytes, not a
 * re-serialized object.
 */
export function verifyWebhook(
  secret: string,
  headers: IncomingHeaders,
  body: string | Buffer,
  options: VerifyWebhookOptions = {},
): { id: string; timestamp: number } {
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined || timestampText === undefined || signatures === undefined) {
    throw new WebhookVerificationError(
      WebhookVerificationErrorCode.MissingHeaders,
      'The request lacks webhook-id, webhook-timestamp or webhook-signature.',
    );
  }
  if (!/^\d{1,15}$/.test(timestampText)) {
    throw new WebhookVerificationError(WebhookVerificationErrorCode.InvalidTimestamp, 'webhook-timestamp is not a number of seconds.');
  }
  const timestamp = Number(timestampText);
  const now = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor(now / 1_000);
  if (timestamp < nowSeconds - tolerance) {
    throw new WebhookVerificationError(
      WebhookVerificationErrorCode.TimestampTooOld,
      `The webhook timestamp is more than ${tolerance} s old: a replayed or long-delayed message.`,
    );
  }
  if (timestamp > nowSeconds + tolerance) {
    throw new WebhookVerificationError(
      WebhookVerificationErrorCode.TimestampTooNew,
      `The webhook timestamp is more than ${tolerance} s in the future: check the sender's clock.`,
    );
  }

  const expected = hmac(webhookSigningKey(secret), id, timestampText, body);
  const matched = signatures
    .split(' ')
    .filter((candidate) => candidate.startsWith('v1,'))
    .some((candidate) => {
      const given = Buffer.from(candidate.slice(3), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  if (!matched) {
    throw new WebhookVerificationError(
      WebhookVerificationErrorCode.NoMatchingSignature,
      'No v1 signature of the message matches the secret: the body or headers were changed, or the secret is wrong.',
    );
  }
  return { id, timestamp };
}

function hmac(key: Buffer, id: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

function header(headers: IncomingHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(' ') : (value as string | undefined);
}
