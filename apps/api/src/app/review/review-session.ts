import type { IncomingMessage } from 'node:http';

/** The review pages' session cookie: a random session id (never the key), HttpOnly, SameSite=Strict, scoped to /review. */
export const REVIEW_COOKIE = 'gcm_review';
export const REVIEW_PATH = '/review';

/** The value of one cookie of the request, or undefined. */
export function readCookie(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A browser-session cookie (no Max-Age: gone when the browser closes; the server ends it at its expiry anyway); Secure over HTTPS. */
export function sessionCookie(sessionId: string, secure: boolean): string {
  return [`${REVIEW_COOKIE}=${encodeURIComponent(sessionId)}`, `Path=${REVIEW_PATH}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return [`${REVIEW_COOKIE}=`, `Path=${REVIEW_PATH}`, 'HttpOnly', 'SameSite=Strict', 'Max-Age=0', ...(secure ? ['Secure'] : [])].join('; ');
}

/** Whether the request arrived over HTTPS (directly, or through a trusted proxy per GCM_API_TRUST_PROXY). */
export function isSecure(request: IncomingMessage): boolean {
  return (request as { secure?: boolean }).secure === true;
}

/**
 * Form posts must come from the review pages themselves (login CSRF: logging someone in
 * with another key). Browsers say where a request comes from in Sec-Fetch-Site, and in
 * Origin on every POST; a request carrying neither is not from a browser and cannot be CSRF.
 */
export function sameOrigin(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const host = request.headers.host;
  try {
    return typeof host === 'string' && new URL(origin).host === host;
  } catch {
    return false;
  }
}
