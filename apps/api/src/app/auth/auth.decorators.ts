import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ProblemResponse } from '../problem/problem-response.decorator';
import type { ProblemSlug } from '../problem/problem-types';
import type { ApiScope } from './api-key';

export const SCOPE_METADATA = 'gcm:scope';
export const ACCESS_METADATA = 'gcm:access';

/** How a route is reached without an API key. */
export type OpenAccess =
  /** Health probes: no key, no rate limit (orchestrators probe often, from many addresses). */
  | 'probe'
  /** Authenticated by other means (a webhook signature); rate limited per client address. */
  | 'signed'
  /** No key yet: the review login page and its stylesheet; rate limited per client address. */
  | 'anonymous';

/** Where a key-authenticated route reads the key: the Authorization header (default), or the review session cookie. */
export const CREDENTIAL_METADATA = 'gcm:credential';
export type CredentialSource = 'bearer' | 'review-session';

/** The review pages: the key comes from the HttpOnly session cookie set by the login form. */
export const FromReviewSession = () => SetMetadata(CREDENTIAL_METADATA, 'review-session' satisfies CredentialSource);

/**
 * The scope a route needs. A route without one (and not open) is refused: deny by default.
 * `tooManyRequests` documents a route's own 429s beside the key's rate limit.
 */
export const RequireScope = (scope: ApiScope, tooManyRequests?: { readonly description: string; readonly types: readonly ProblemSlug[] }) =>
  applyDecorators(
    SetMetadata(SCOPE_METADATA, scope),
    ApiBearerAuth('api-key'),
    ProblemResponse(401, 'No API key, or one the API does not know', ['unauthorized']),
    ProblemResponse(403, `The key lacks the "${scope}" scope`, ['forbidden']),
    ProblemResponse(429, tooManyRequests?.description ?? "The key's rate limit is exhausted; see Retry-After", tooManyRequests?.types ?? ['rate-limited']),
  );

export const OpenRoute = (access: OpenAccess) => SetMetadata(ACCESS_METADATA, access);
