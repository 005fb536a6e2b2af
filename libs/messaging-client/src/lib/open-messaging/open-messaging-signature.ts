import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header Genesys signs outbound Open Messaging webhooks with. */
export const OPEN_MESSAGING_SIGNATURE_HEADER = 'x-hub-signature-256';

const PREFIX = 'sha256=';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The value of `X-Hub-Signature-256` for a body: `sha256=` followed by the BASE64 (not hex)
 * HMAC-SHA256 of the raw body under the integration's secret token.
 */
export function signOpenMessagingBody(rawBody: string | Uint8Array, secret: string): string {
  return PREFIX + createHmac('sha256', secret).update(rawBody).digest('base64');
}

/**
 * Checks an outbound Open Messaging webhook. Pass the raw request body exactly as received
 * (before any JSON parsing: re-serialising changes bytes and breaks the signature), the
 * header value and the integration's `outboundNotificationWebhookSignatureSecretToken`.
 *
 * Only the documented form is accepted: `sha256=` + base64 of 32 bytes. A hex digest, a
 * missing prefix, several values or a missing header are all refused. The digests are
 * compared in constant time.
 */
export function verifyOpenMessagingSignature(
  rawBody: string | Uint8Array,
  header: string | readonly string[] | undefined,
  secret: string,
): boolean {
  if (!secret) throw new RangeError('verifyOpenMessagingSignature needs the integration secret token');
  if (typeof header !== 'string' || !header.startsWith(PREFIX)) return false;
  const encoded = header.slice(PREFIX.length).trim();
  if (!BASE64.test(encoded)) return false;
  const received = Buffer.from(encoded, 'base64');
  // Buffer.from silently drops what is not base64; a round trip proves it was canonical
  if (received.length !== 32 || received.toString('base64') !== encoded) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(received, expected);
}
