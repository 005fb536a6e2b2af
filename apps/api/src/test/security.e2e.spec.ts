import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiHarness, sandboxConversationIds, WEBHOOK_SECRET, type ApiHarness } from './api-harness';

const PROBLEM = /^application\/problem\+json/;

describe('API security (e2e, sandbox + SQLite)', () => {
  let api: ApiHarness;
  let conversationId: string;

  beforeAll(async () => {
    api = await startApiHarness();
    conversationId = sandboxConversationIds(api.sandbox)[0];
  });
  afterAll(async () => {
    await api?.close();
  });

  const protectedRoutes = (): Array<[string, string, string]> => [
    ['POST', '/v1/guest-sessions', 'write'],
    ['POST', '/v1/guest-sessions/3f6c2a9e-8d1b-4e7a-9c55-0b2d4e6f8a1c/messages', 'write'],
    ['GET', '/v1/guest-sessions/3f6c2a9e-8d1b-4e7a-9c55-0b2d4e6f8a1c/messages', 'read'],
    ['DELETE', '/v1/guest-sessions/3f6c2a9e-8d1b-4e7a-9c55-0b2d4e6f8a1c', 'write'],
    ['POST', `/v1/conversations/${conversationId}/messages`, 'write'],
    ['GET', `/v1/conversations/${conversationId}/timeline`, 'read'],
    ['GET', '/v1/conversations/search?from=2026-02-01T00:00:00Z&to=2026-02-02T00:00:00Z', 'read'],
    ['POST', '/v1/archives', 'admin'],
    ['GET', '/v1/archives/3f6c2a9e-8d1b-4e7a-9c55-0b2d4e6f8a1c', 'read'],
    ['GET', `/v1/archives/conversations/${conversationId}`, 'read'],
    ['GET', '/v1/audit', 'admin'],
    ['GET', '/v1/audit/verify', 'admin'],
    ['GET', '/metrics', 'metrics'],
  ];

  it('denies every route without a key: 401 problem+json with a Bearer challenge, nothing reaches Genesys', async () => {
    const before = api.sandbox.stats.snapshot().requests.total;
    for (const [method, path] of protectedRoutes()) {
      const response = await api.request(method, path, { body: method === 'POST' ? {} : undefined });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
      expect(response.headers.get('content-type')).toMatch(PROBLEM);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="gcm"');
      expect(response.json).toMatchObject({ type: 'urn:gcm:problem:unauthorized', status: 401, detail: 'Send an API key as "Authorization: Bearer <key>".' });
    }
    expect(api.sandbox.stats.snapshot().requests.total).toBe(before);
  });

  it('refuses an unknown key, a malformed header and a hash sent as the key alike', async () => {
    for (const authorization of ['Bearer gcm_not-a-configured-key', 'Basic dXNlcjpwYXNz', `Bearer ${'a'.repeat(600)}`, 'Bearer']) {
      const response = await api.request('GET', `/v1/conversations/${conversationId}/timeline`, { headers: { authorization } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="gcm", error="invalid_token"');
      expect(response.json.detail).toContain('The API key is not valid');
    }
  });

  it("answers 403 naming the scope a key lacks, and lets admin keys do everything", async () => {
    const cases: Array<[string, string, string]> = [
      [api.keys.reader, 'POST', '/v1/guest-sessions'],
      [api.keys.writer, 'GET', '/v1/audit'],
      [api.keys.writer, 'POST', '/v1/archives'],
      [api.keys.reader, 'GET', '/metrics'],
      [api.keys.scraper, 'GET', `/v1/conversations/${conversationId}/timeline`],
    ];
    for (const [key, method, path] of cases) {
      const response = await api.request(method, path, { key, body: method === 'POST' ? {} : undefined });
      const scope = protectedRoutes().find(([m, p]) => m === method && p === path)?.[2];
      expect({ path, status: response.status, requiredScope: response.json.requiredScope }).toEqual({ path, status: 403, requiredScope: scope });
      expect(response.headers.get('www-authenticate')).toContain(`error="insufficient_scope", scope="${scope}"`);
    }
    expect((await api.request('GET', '/v1/audit?limit=1', { key: api.keys.admin })).status).toBe(200);
    expect((await api.request('GET', '/metrics', { key: api.keys.admin })).status).toBe(200);
    expect((await api.request('GET', `/v1/conversations/${conversationId}/timeline`, { key: api.keys.admin })).status).toBe(200);
  });

  it('limits each key on its own and says when to retry', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await api.request('GET', '/v1/audit?limit=1', { key: api.keys.throttled });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last?.headers.get('retry-after')).toBe('20');
    expect(last?.headers.get('ratelimit-limit')).toBe('3');
    expect(last?.headers.get('ratelimit-remaining')).toBe('0');
    expect(last?.json).toMatchObject({ type: 'urn:gcm:problem:rate-limited', status: 429, limit: 3, retryAfterSeconds: 20 });
    // other keys are unaffected
    expect((await api.request('GET', '/v1/audit?limit=1', { key: api.keys.admin })).status).toBe(200);
  });

  it('echoes a plain X-Request-Id, replaces an unsafe one, and puts it in every problem', async () => {
    const mine = await api.request('GET', '/health/live', { headers: { 'x-request-id': 'trace-42.a:b' } });
    expect(mine.headers.get('x-request-id')).toBe('trace-42.a:b');
    const unsafe = await api.request('GET', '/v1/nowhere', { key: api.keys.reader, headers: { 'x-request-id': 'bad id <script>' } });
    const generated = unsafe.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(unsafe.status).toBe(404);
    expect(unsafe.json).toMatchObject({ status: 404, requestId: generated, instance: '/v1/nowhere', detail: 'No route GET /v1/nowhere.' });
  });

  it('sends helmet headers and no CORS headers unless origins are configured', async () => {
    const response = await api.request('GET', '/health/live', { headers: { origin: 'https://evil.example' } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    // plain HTTP: no HSTS (browsers ignore it there) and no upgrade-insecure-requests (it would blank /docs)
    expect(response.headers.get('strict-transport-security')).toBeNull();
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await api.request('OPTIONS', '/v1/guest-sessions', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses bodies over the limit (413) and malformed JSON (400 naming the body) as problems', async () => {
    const big = await api.request('POST', '/v1/guest-sessions', { key: api.keys.writer, body: { deploymentId: 'x', customAttributes: { a: 'y'.repeat(300_000) } } });
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ type: 'urn:gcm:problem:body-too-large', status: 413, limitBytes: 256 * 1024 });
    const malformed = await api.request('POST', '/v1/guest-sessions', { key: api.keys.writer, rawBody: '{"deploymentId": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ type: 'urn:gcm:problem:malformed-body', fields: ['body'] });
    expect(malformed.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers what the HTTP parser refuses (a URL over 16 KB) as a problem too', async () => {
    const response = await api.request('GET', `/v1/audit?actor=${'x'.repeat(20_000)}`, { key: api.keys.admin });
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toMatch(PROBLEM);
    expect(response.json).toMatchObject({ status: 431, requestId: response.headers.get('x-request-id') });
  });

  it('validates bodies, queries and paths with whitelisting: 400 naming every field', async () => {
    const body = await api.request('POST', '/v1/guest-sessions', { key: api.keys.writer, body: { deploymentId: 'has spaces', sneaky: true, customAttributes: { ok: 1 } } });
    expect(body.status).toBe(400);
    expect(body.json.fields.sort()).toEqual(['customAttributes', 'deploymentId', 'sneaky']);
    expect(body.json.errors).toContainEqual({ field: 'sneaky', message: 'is not a known property', code: 'whitelistValidation' });
    const query = await api.request('GET', `/v1/conversations/${conversationId}/timeline?format=pdf&extra=1`, { key: api.keys.reader });
    expect(query.status).toBe(400);
    expect(query.json.fields.sort()).toEqual(['extra', 'format']);
    const path = await api.request('GET', '/v1/conversations/not-a-uuid/timeline', { key: api.keys.reader });
    expect(path.status).toBe(400);
    expect(path.json.errors).toEqual([{ field: 'id', message: 'must be a Genesys conversation id (UUID)', code: 'isUuid' }]);
  });

  it('serves health probes without a key: liveness, and readiness over the database and the Genesys token', async () => {
    expect((await api.request('GET', '/health/live')).json).toEqual({ status: 'ok' });
    const ready = await api.request('GET', '/health');
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'ok', info: { database: { status: 'up', engine: 'sqlite' }, genesys: { status: 'up' } } });
  });

  it('exposes Prometheus metrics to a metrics key: HTTP by route pattern (never raw paths), Genesys calls, audit writes', async () => {
    const response = await api.request('GET', '/metrics', { key: api.keys.scraper });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(response.text).toMatch(/gcm_api_http_request_duration_seconds_count\{method="GET",route="\/v1\/conversations\/:id\/timeline",status="200"\} \d+/);
    expect(response.text).toMatch(/gcm_api_genesys_responses_total\{status="2xx"\} \d+/);
    expect(response.text).toContain('gcm_audit_records_total');
    expect(response.text).toContain('gcm_api_process_resident_memory_bytes');
    expect(response.text).not.toContain(conversationId);
  });

  it('serves the OpenAPI document and its UI without a key', async () => {
    const json = await api.request('GET', '/docs-json');
    expect(json.status).toBe(200);
    expect(json.json.info.title).toBe('gcm API');
    // the served description is the committed one
    expect(json.json).toEqual(JSON.parse(readFileSync(join(__dirname, '../../openapi.json'), 'utf8')));
    const ui = await api.request('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('writes JSON log lines that carry no secret: keys, client secret, webhook secret, bearer tokens', async () => {
    const lines = api.logs;
    expect(lines.length).toBeGreaterThan(20);
    const access = lines.filter((line) => line['msg'] === 'request');
    expect(access[0]).toEqual(expect.objectContaining({ level: 'info', context: 'Http', method: expect.any(String), route: expect.any(String), status: expect.any(Number), requestId: expect.any(String) }));
    const text = JSON.stringify(lines);
    for (const secret of [...Object.values(api.keys), api.sandbox.clientSecret, WEBHOOK_SECRET]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/Bearer [A-Za-z0-9]/);
  });

  it('records every mutating request in the audit trail, refused ones included, without keys or bodies', async () => {
    await api.request('POST', '/v1/archives', { body: { conversationIds: [conversationId] } });
    const page = await api.request('GET', '/v1/audit?actor=anonymous&action=archive.run.start', { key: api.keys.admin });
    expect(page.json.items.length).toBeGreaterThanOrEqual(1);
    expect(page.json.items.at(-1)).toMatchObject({ actor: 'anonymous', action: 'archive.run.start', outcome: 'failure', details: { status: 401, problem: 'unauthorized', route: '/v1/archives', method: 'POST' } });
    const forbidden = await api.request('GET', '/v1/audit?actor=key:reader&outcome=failure', { key: api.keys.admin });
    expect(forbidden.json.items).toContainEqual(expect.objectContaining({ action: 'guest-session.open', details: expect.objectContaining({ status: 403, problem: 'forbidden' }) }));
    // GETs are not mutations
    const reads = await api.request('GET', '/v1/audit?actionPrefix=http.get', { key: api.keys.admin });
    expect(reads.json.items).toEqual([]);
  });
});

describe('API with CORS origins configured', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness({ env: { GCM_API_CORS_ORIGINS: 'https://console.example' }, sandbox: { conversations: 5 } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers preflights for the configured origin only', async () => {
    const allowed = await api.request('OPTIONS', '/v1/guest-sessions', { headers: { origin: 'https://console.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('Authorization');
    const other = await api.request('OPTIONS', '/v1/guest-sessions', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await api.request('GET', '/health/live', { headers: { origin: 'https://console.example' } });
    expect(simple.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
  });
});
