import type { ApiResponse } from '../http/api-request';

/**
 * Headers of every review page: nothing cached (transcripts are personal data), and a
 * Content-Security-Policy that allows no script at all — even if some message text escaped
 * the escaping, a browser would not run it.
 */
export const REVIEW_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const REVIEW_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': REVIEW_CSP,
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the forms' POSTs
  'Referrer-Policy': 'same-origin',
};

/** Ends a review answer: the page headers, then the caller's. */
export function sendReview(response: ApiResponse, status: number, headers: Readonly<Record<string, string>>, body = ''): void {
  for (const [name, value] of Object.entries({ ...REVIEW_PAGE_HEADERS, ...headers })) response.setHeader(name, value);
  response.statusCode = status;
  response.end(body);
}
