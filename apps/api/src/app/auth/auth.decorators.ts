import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { ApiScope } from './api-key';

export const SCOPE_METADATA = 'gcm:scope';
export const ACCESS_METADATA = 'gcm:access';

/** How a route is reached without an API key. */
export type OpenAccess =
  /** Health probes: no key, no rate limit (orchestrators probe often, from many addresses). */
  | 'probe'
  /** Authenticated by other means (a webhook signature); rate limited per client address. */
  | 'signed';

/** The scope a route needs. A route without one (and not open) is refused: deny by default. */
export const RequireScope = (scope: ApiScope) =>
  applyDecorators(
    SetMetadata(SCOPE_METADATA, scope),
    ApiBearerAuth('api-key'),
    ApiUnauthorizedResponse({ description: 'No API key, or one the API does not know (problem+json)' }),
    ApiForbiddenResponse({ description: `The key lacks the "${scope}" scope (problem+json)` }),
    ApiTooManyRequestsResponse({ description: "The key's rate limit is exhausted; see Retry-After (problem+json)" }),
  );

export const OpenRoute = (access: OpenAccess) => SetMetadata(ACCESS_METADATA, access);
