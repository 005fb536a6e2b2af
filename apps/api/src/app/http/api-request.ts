import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiKeyDefinition } from '../auth/api-key';

/** What the API learns about a request as it goes through the pipeline. */
export interface RequestContext {
  readonly requestId: string;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  /** The key that authenticated the request, once the guard accepted it. */
  apiKey?: ApiKeyDefinition;
  /** Who acted, for the audit trail: `key:<id>`, `open-messaging-webhook` or `anonymous`. */
  actor: string;
  /** Set from the handler's @Audited metadata; mutating requests are recorded under it. */
  audit?: { action: string; target?: string; details?: Record<string, unknown> };
  /** Problem slug of an error answer (for logs and audit details). */
  problem?: string;
  /** The client hung up before its answer was complete: the access log says 499, and nothing else logs it. */
  clientClosed?: boolean;
}

/**
 * The parts of Express's request the API reads. Typed here because the workspace has
 * no @types/express; Express fills every field before a controller runs.
 */
export interface ApiRequest extends IncomingMessage {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body?: unknown;
  /** The bytes of the body as received (NestFactory rawBody option); the webhook verifies them. */
  rawBody?: Buffer;
  route?: { path: string };
  baseUrl?: string;
  originalUrl: string;
  ip?: string;
  gcm?: RequestContext;
}

export type ApiResponse = ServerResponse;

/** The route pattern that matched (`/v1/guest-sessions/:token/messages`), never the raw URL: no ids, no tokens, bounded label sets. */
export function routeOf(request: IncomingMessage): string {
  const req = request as ApiRequest;
  return req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
}
