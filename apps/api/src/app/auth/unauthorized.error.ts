import { ApiError } from '../problem/api.error';

/** 401: no usable API key. The detail says which of the two, never anything about the key itself. */
export class UnauthorizedError extends ApiError {
  constructor(readonly reason: 'missing' | 'invalid') {
    super({
      status: 401,
      slug: 'unauthorized',
      title: 'An API key is required',
      detail:
        reason === 'missing'
          ? 'Send an API key as "Authorization: Bearer <key>".'
          : 'The API key is not valid. Check that the whole key was sent as "Authorization: Bearer <key>" and that it is still configured (GCM_API_KEYS).',
      headers: { 'WWW-Authenticate': reason === 'missing' ? 'Bearer realm="gcm"' : 'Bearer realm="gcm", error="invalid_token"' },
    });
  }
}
