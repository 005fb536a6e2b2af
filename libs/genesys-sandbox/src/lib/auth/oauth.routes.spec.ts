import { ManualClock, RunningSandbox } from '../../index';
import { ERROR_BODY_KEYS, SandboxApiClient, startTestSandbox } from '../../test/sandbox-api-client';

describe('login and tokens', () => {
  let sandbox: RunningSandbox;
  let clock: ManualClock;
  let api: SandboxApiClient;

  beforeAll(async () => {
    ({ sandbox, clock, api } = await startTestSandbox({ tokenLifetimeSeconds: 30 }));
  });
  afterAll(() => sandbox.close());

  it('issues a bearer token for the client-credentials grant with Basic auth', async () => {
    const res = await api.request('POST', '/oauth/token', {
      rawBody: 'grant_type=client_credentials',
      headers: { Authorization: api.basicAuth(), 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 30 });
    expect(res.body.access_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(sandbox.stats.snapshot().tokensIssued).toBeGreaterThanOrEqual(1);
  });

  it('answers bad client credentials with the login service error shape', async () => {
    const res = await api.request('POST', '/oauth/token', {
      rawBody: 'grant_type=client_credentials',
      headers: { Authorization: api.basicAuth(sandbox.clientId, 'wrong'), 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_client', description: 'authentication failed', error_description: 'authentication failed' });
  });

  it('rejects another grant type', async () => {
    const res = await api.request('POST', '/oauth/token', {
      rawBody: 'grant_type=password',
      headers: { Authorization: api.basicAuth(), 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
  });

  it('describes the token at GET /api/v2/tokens/me and answers HEAD', async () => {
    await api.login();
    const res = await api.get('/api/v2/tokens/me');
    expect(res.status).toBe(200);
    const { organization } = sandbox.truth.catalog;
    expect(res.body).toEqual({
      organization: { id: organization.id, name: organization.name },
      homeOrganization: { id: organization.id, name: organization.name },
      authorizedScope: expect.any(Array),
      OAuthClient: { id: sandbox.clientId, name: expect.any(String), authorizedGrantType: 'CLIENT-CREDENTIALS', organization: { id: organization.id, name: organization.name } },
    });
    const head = await api.request('HEAD', '/api/v2/tokens/me');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('answers a request without a token with 401 authentication.required', async () => {
    const res = await api.get('/api/v2/tokens/me', { auth: false });
    expect(res.status).toBe(401);
    expect(Object.keys(res.body)).toEqual(expect.arrayContaining(ERROR_BODY_KEYS));
    expect(res.body).toMatchObject({
      code: 'authentication.required',
      status: 401,
      message: 'No authentication bearer token specified in authorization header.',
      details: [],
      errors: [],
    });
  });

  it('answers an unknown token with 401 bad.credentials, contextId equal to ININ-Correlation-Id', async () => {
    const res = await api.get('/api/v2/tokens/me', { token: 'not-a-token' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'bad.credentials', status: 401, message: 'Invalid login credentials.' });
    expect(res.body.contextId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('inin-correlation-id')).toBe(res.body.contextId);
  });

  it('expires tokens on the sandbox clock', async () => {
    const token = await api.login();
    expect((await api.get('/api/v2/tokens/me', { token })).status).toBe(200);
    clock.advance(29_999);
    expect((await api.get('/api/v2/tokens/me', { token })).status).toBe(200);
    clock.advance(1);
    const expired = await api.get('/api/v2/tokens/me', { token });
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('bad.credentials');
  });

  it('revokes the token on DELETE /api/v2/tokens/me', async () => {
    const token = await api.login();
    const res = await api.request('DELETE', '/api/v2/tokens/me', { token });
    expect(res.status).toBe(204);
    expect((await api.get('/api/v2/tokens/me', { token })).status).toBe(401);
  });

  it('sets ININ-Correlation-Id on successful responses too, and on 404s of unknown paths', async () => {
    await api.login();
    const ok = await api.get('/api/v2/tokens/me');
    expect(ok.headers.get('inin-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await api.get('/api/v2/no/such/thing');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'not.found', status: 404 });
    expect(missing.headers.get('inin-correlation-id')).toBe(missing.body.contextId);
  });
});
