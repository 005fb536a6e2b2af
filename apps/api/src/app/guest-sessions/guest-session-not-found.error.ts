import { ApiError } from '../problem/api.error';

/**
 * 404: no guest session with this token on this API instance for this key. A session of
 * another key answers the same way, so a token's existence does not leak across keys.
 */
export class GuestSessionNotFoundError extends ApiError {
  constructor() {
    super({
      status: 404,
      slug: 'guest-session-not-found',
      title: 'Guest session not found',
      detail:
        'No guest session with this token is open on this API instance for your key. Sessions live in the instance that opened them ' +
        '(route a token to the same instance) and are closed after GCM_API_GUEST_IDLE_TIMEOUT without use; open a new one.',
    });
  }
}
