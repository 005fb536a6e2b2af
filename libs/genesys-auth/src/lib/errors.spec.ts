import {
  GenesysApiError,
  GenesysAuthError,
  GenesysConflictError,
  GenesysNotFoundError,
  GenesysPermissionError,
  GenesysRateLimitError,
  GenesysServerError,
  GenesysValidationError,
  parseRetryAfter,
} from './errors';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('GenesysApiError.fromResponse', () => {
  it.each([
    [400, GenesysValidationError, false],
    [401, GenesysAuthError, false],
    [403, GenesysPermissionError, false],
    [404, GenesysNotFoundError, false],
    [409, GenesysConflictError, false],
    [429, GenesysRateLimitError, true],
    [500, GenesysServerError, false],
    [502, GenesysServerError, true],
    [503, GenesysServerError, true],
    [504, GenesysServerError, true],
  ])('maps %i to %p (retryable %p)', (status, type, retryable) => {
    const error = GenesysApiError.fromResponse({ status, body: { message: 'm', code: 'c' }, method: 'get', path: '/p' });
    expect(error).toBeInstanceOf(type);
    expect(error.retryable).toBe(retryable);
    expect(error.status).toBe(status);
  });

  it('parses the real ErrorBody of a 429 with Retry-After', () => {
    const error = GenesysApiError.fromResponse({
      status: 429,
      headers: { 'Retry-After': '7', 'inin-correlation-id': 'hdr-ctx' },
      body: JSON.stringify({
        message: 'Rate limit exceeded the maximum. Retry the request in [7] seconds',
        code: 'too.many.requests.retry.after',
        status: 429,
        contextId: 'body-ctx',
        details: [],
        errors: [],
      }),
      method: 'post',
      path: '/api/v2/analytics/conversations/details/query',
      now,
    });
    expect(error).toBeInstanceOf(GenesysRateLimitError);
    expect(error.code).toBe('too.many.requests.retry.after');
    expect(error.contextId).toBe('body-ctx');
    expect(error.retryAfterMs).toBe(7000);
    expect(error.method).toBe('POST');
    expect(error.message).toContain('POST /api/v2/analytics/conversations/details/query');
    expect(error.message).toContain('Retry after 7 s');
    expect(error.message).toContain('body-ctx');
  });

  it('takes contextId from ININ-Correlation-Id when the body has none, and explains HTML bodies', () => {
    const error = GenesysApiError.fromResponse({
      status: 502,
      headers: { 'ININ-Correlation-Id': 'abc-123' },
      body: '<html><body>Bad gateway</body></html>',
      method: 'GET',
      path: '/api/v2/conversations/x',
    });
    expect(error.contextId).toBe('abc-123');
    expect(error.code).toBe('server.error');
    expect(error.message).toMatch(/unexpected HTML response body/);
  });

  it('ends the Genesys message with exactly one full stop', () => {
    const error = GenesysApiError.fromResponse({ status: 401, body: { message: 'Invalid login credentials.', code: 'bad.credentials' } });
    expect(error.message).toContain('Invalid login credentials. Check');
    expect(error.message).not.toContain('..');
  });

  it('serializes only safe fields', () => {
    const error = GenesysApiError.fromResponse({ status: 404, body: { message: 'gone', code: 'not.found' } });
    expect(Object.keys(error.toJSON()).sort()).toEqual(
      ['attempts', 'category', 'code', 'contextId', 'message', 'method', 'name', 'path', 'retryAfterMs', 'retryable', 'status'].sort(),
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter(new Date(now + 3000).toUTCString(), now)).toBe(3000);
    expect(parseRetryAfter(new Date(now - 3000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
