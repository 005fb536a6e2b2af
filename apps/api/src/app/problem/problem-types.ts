import { PROBLEM_TYPE_PREFIX } from './problem-details';

/**
 * The problem types the API answers with, by slug (`urn:gcm:problem:<slug>`), as the
 * OpenAPI document lists them for each status an operation can answer. The titles are the
 * ones the errors carry; `openapi-document.spec.ts` checks each documented example
 * against the ProblemDto schema.
 */
export const PROBLEM_TYPES = {
  validation: { status: 400, title: 'The request is invalid', detail: 'The request has 1 problem: limit must not be greater than 500.' },
  'malformed-body': { status: 400, title: 'The request body cannot be read', detail: 'The request body is not valid JSON.' },
  'upstream-validation': { status: 400, title: 'Genesys Cloud refused the request', detail: 'Genesys Cloud refused the request as invalid.' },
  unauthorized: { status: 401, title: 'An API key is required', detail: 'Send an API key as Authorization: Bearer <key>.' },
  'webhook-signature': { status: 401, title: 'The webhook signature does not verify', detail: 'X-Hub-Signature-256 does not match the body.' },
  forbidden: { status: 403, title: 'The API key may not do this', detail: 'The key lacks the "admin" scope.' },
  'not-found': { status: 404, title: 'Not found', detail: 'Genesys Cloud does not know the conversation.' },
  'guest-session-not-found': { status: 404, title: 'Guest session not found', detail: 'No guest session with this token is open for this key.' },
  'archive-not-found': { status: 404, title: 'Not archived', detail: 'The conversation has no archive.' },
  'archive-run-not-found': { status: 404, title: 'Archive run not found', detail: 'This instance started no run with this id.' },
  'webhook-not-configured': { status: 404, title: 'Open Messaging webhooks are not enabled', detail: 'GCM_API_OPEN_MESSAGING_SECRET is not set.' },
  conflict: { status: 409, title: 'Conflict', detail: 'The resource changed meanwhile. Retry the request.' },
  'no-agent-communication': { status: 409, title: 'The conversation has no connected agent', detail: 'No agent is connected to send as.' },
  'archive-run-in-progress': { status: 409, title: 'An archive run is in progress', detail: 'This instance runs one archive run at a time.' },
  'archive-busy': { status: 409, title: 'Another replica runs the archive job', detail: 'The run lease is held by another replica.' },
  'resume-not-exact': { status: 409, title: 'The search cannot resume exactly', detail: 'The resume token no longer points at a stable position.' },
  'guest-session-ended': { status: 410, title: 'The guest session has ended', detail: 'The session expired. Open a new guest session.' },
  'body-too-large': { status: 413, title: 'Request body too large', detail: 'The request body exceeds the limit of 262144 bytes.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', detail: 'Content-Type must be application/json.' },
  'deployment-refused': { status: 422, title: 'Web messaging refused the deployment', detail: 'The deployment must exist, be active and allow the API\'s origin.' },
  'guest-refused': { status: 422, title: 'Web messaging refused the request', detail: 'The attachment expired.' },
  'agentless-unavailable': { status: 422, title: 'Agentless sending is not available here', detail: 'GCM_API_AGENTLESS_FROM names no sender for this channel.' },
  'rate-limited': { status: 429, title: 'Too many requests', detail: "The key's rate limit is exhausted. Retry in 2 s." },
  'guest-rate-limited': { status: 429, title: 'Too many guest messages', detail: 'Web messaging allows 2 messages a second per session.' },
  internal: { status: 500, title: 'Internal error', detail: 'The API failed unexpectedly. The failure is logged with this request id; quote it when reporting the problem.' },
  'upstream-auth': { status: 502, title: "Genesys Cloud refused the API's credentials", detail: 'Operator: check GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET and GENESYSCLOUD_REGION.' },
  'upstream-permission': { status: 502, title: "The API's Genesys Cloud client lacks a permission", detail: 'Operator: add the permission to a role of the OAuth client.' },
  // 504 when the connection timed out
  'upstream-unavailable': { status: 502, alsoStatus: 504, title: 'Genesys Cloud is unavailable', detail: 'Genesys Cloud answered 502. Retry later.' },
  'upstream-rate-limited': { status: 503, title: 'Genesys Cloud is rate limiting the API', detail: "The API's Genesys Cloud quota is exhausted after retries. Retry in 30 s." },
  'database-unavailable': { status: 503, title: 'The database is unavailable', detail: 'The API cannot reach its database right now. Retry later.' },
  aborted: { status: 503, title: 'The request was abandoned', detail: 'The request was aborted before Genesys Cloud answered (the API shutting down).' },
  'upstream-timeout': { status: 504, title: 'Web messaging did not answer', detail: 'Web messaging did not answer in time. Retry later.' },
} as const satisfies Record<string, { status: number; alsoStatus?: number; title: string; detail: string }>;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

/** A documented example of a problem type (valid against ProblemDto). */
/** The problem type can be answered with this status. */
export function answersWith(slug: ProblemSlug, status: number): boolean {
  const type: { status: number; alsoStatus?: number } = PROBLEM_TYPES[slug];
  return type.status === status || type.alsoStatus === status;
}

export function problemExample(slug: ProblemSlug, status: number): { summary: string; value: Record<string, unknown> } {
  const { title, detail } = PROBLEM_TYPES[slug];
  return {
    summary: `${PROBLEM_TYPE_PREFIX}${slug}`,
    value: {
      type: `${PROBLEM_TYPE_PREFIX}${slug}`,
      title,
      status,
      detail,
      requestId: '0f3b6c1e-2a4d-4b8e-9c7f-5d1e2a3b4c5d',
      ...(slug === 'validation' ? { errors: [{ field: 'limit', message: 'must not be greater than 500' }], fields: ['limit'] } : {}),
    },
  };
}
