import { ApiError } from '../problem/api.error';
import type { ApiScope } from './api-key';

/** 403: the key is valid but lacks the scope the route needs (or the route declares none). */
export class ForbiddenError extends ApiError {
  constructor(keyId: string, scope: ApiScope | undefined) {
    super({
      status: 403,
      slug: 'forbidden',
      title: 'The API key may not do this',
      detail:
        scope === undefined
          ? 'This route declares no scope, so it is denied to every key.'
          : `API key "${keyId}" lacks the "${scope}" scope this route needs. Add it to the key's entry in GCM_API_KEYS, or use a key that has it.`,
      headers: scope === undefined ? {} : { 'WWW-Authenticate': `Bearer realm="gcm", error="insufficient_scope", scope="${scope}"` },
      extensions: scope === undefined ? {} : { requiredScope: scope },
    });
  }
}
