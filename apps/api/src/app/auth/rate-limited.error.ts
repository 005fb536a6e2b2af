import { ApiError } from '../problem/api.error';

/** 429: this key (or this client address, without a key) sent too many requests. */
export class RateLimitedError extends ApiError {
  constructor(subject: string, limit: number, retryAfterSeconds: number) {
    super({
      status: 429,
      slug: 'rate-limited',
      title: 'Too many requests',
      detail: `${subject} is limited to ${limit} requests a minute. Retry in ${retryAfterSeconds} s.`,
      headers: { 'Retry-After': String(retryAfterSeconds) },
      extensions: { limit, retryAfterSeconds },
    });
  }
}
