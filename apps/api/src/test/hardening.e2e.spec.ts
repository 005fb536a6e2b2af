import { gzipSync } from 'node:zlib';
import { signOpenMessagingBody } from '@gcm/messaging-client';
import { startApiHarness, WEBHOOK_SECRET, type ApiHarness, type ApiResponseData } from './api-harness';

const PROBLEM = /^application\/problem\+json/;

/**
 * The hostile requests of issue #18, one by one: each answers a 4xx problem+json naming
 * the field (or header) and the limit — never a 5xx, never a stack trace.
 */
describe('API hardening (e2e, sandbox + SQLite): hostile bodies, encodings and text', () => {
  let api: ApiHarness;
  let token: string;

  beforeAll(async () => {
    api = await startApiHarness({
      sandbox: { conversations: 10, webMessaging: { messagesPerSecond: 10_000 } },
      // the requests were sent to the default 1 MB limit; trust proxy lets a test say it came over HTTPS
      env: { GCM_API_BODY_LIMIT: '1mb', GCM_API_TRUST_PROXY: 'true' },
      runtime: { guest: { rateLimit: { maxPerWindow: 100_000, windowMs: 1_000 } } },
    });
    token = (await api.request('POST', '/v1/guest-sessions', { key: api.keys.admin, body: { deploymentId: api.sandbox.deploymentId } })).json.token;
  });
  afterAll(async () => {
    await api?.close();
  });

  const raw = (method: string, path: string, body: string | Buffer, headers: Record<string, string> = {}, key: string | null = api.keys.admin) =>
    api.request(method, path, { key, rawBody: body, contentType: headers['content-type'] ?? 'application/json', headers });

  function expectProblem(response: ApiResponseData, status: number, slug: string, field?: string): void {
    expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({ status, type: expect.stringMatching(PROBLEM) });
    expect(response.json).toMatchObject({ status, type: `urn:gcm:problem:${slug}` });
    if (field !== undefined) expect(response.json.fields).toContain(field);
    expect(response.text).not.toMatch(/RangeError|at [\w.]+ \(|node_modules/);
  }

  describe('item 1: deep nesting is refused before validation, on every route and on the signed webhook', () => {
    it('POST /v1/guest-sessions with 100,000 nested objects', async () => {
      const body = `{"deploymentId":"${api.sandbox.deploymentId}","customAttributes":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
      const response = await raw('POST', '/v1/guest-sessions', body);
      expectProblem(response, 400, 'malformed-body');
      expect(response.json.errors[0]).toMatchObject({ code: 'TOO_DEEP', message: 'nests deeper than 32 levels' });
      expect(response.json.errors[0].field).toMatch(/^customAttributes\.a\.a/);
      expect(response.json.detail).toContain('GCM_API_BODY_MAX_DEPTH');
    });

    it('POST /v1/guest-sessions/{token}/messages with [×5000 ]×5000', async () => {
      const response = await raw('POST', `/v1/guest-sessions/${token}/messages`, `${'['.repeat(5_000)}${']'.repeat(5_000)}`);
      expectProblem(response, 400, 'malformed-body');
      expect(response.json.errors[0]).toMatchObject({ code: 'TOO_DEEP', field: expect.stringMatching(/^\[0\]\[0\]/) });
    });

    it('a correctly signed webhook body nested 20,000 deep', async () => {
      const body = `{"id":"x","content":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
      const response = await raw('POST', '/v1/webhooks/open-messaging', body, { 'x-hub-signature-256': signOpenMessagingBody(body, WEBHOOK_SECRET) }, null);
      expectProblem(response, 400, 'malformed-body');
      expect(response.json.errors[0]).toMatchObject({ code: 'TOO_DEEP', field: expect.stringMatching(/^content\[0\]/) });
    });

    it('too many properties over all levels', async () => {
      const attributes = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, 'v']));
      const response = await api.request('POST', '/v1/guest-sessions', { key: api.keys.admin, body: { deploymentId: api.sandbox.deploymentId, customAttributes: attributes } });
      expectProblem(response, 400, 'malformed-body', 'body');
      expect(response.json.errors[0]).toMatchObject({ code: 'TOO_MANY_PROPERTIES', message: 'has more than 1000 properties' });
    });
  });

  describe('item 2: Content-Encoding', () => {
    it('a body that says gzip but is not: 400 naming Content-Encoding data, not a zlib error', async () => {
      const response = await raw('POST', '/v1/guest-sessions', JSON.stringify({ deploymentId: api.sandbox.deploymentId }), { 'content-encoding': 'gzip' });
      expectProblem(response, 400, 'malformed-body', 'body');
      expect(response.json.errors[0]).toMatchObject({ code: 'INVALID_CONTENT_ENCODING', message: 'is not valid gzip data' });
      expect(response.text).not.toContain('incorrect header check');
    });

    it('an unsupported coding: 415 naming Content-Encoding, with Accept-Encoding', async () => {
      const response = await raw('POST', '/v1/guest-sessions', '{}', { 'content-encoding': 'compress' });
      expectProblem(response, 415, 'unsupported-media-type', 'Content-Encoding');
      expect(response.headers.get('accept-encoding')).toBe('gzip, deflate, br');
    });

    it('real gzip is decoded; a decompression bomb is 413', async () => {
      const ok = await raw('POST', '/v1/guest-sessions', gzipSync(JSON.stringify({ deploymentId: api.sandbox.deploymentId })), { 'content-encoding': 'gzip' });
      expect(ok.status).toBe(201);
      const bomb = gzipSync(Buffer.from(`{"deploymentId":"${' '.repeat(5 * 1024 * 1024)}"}`));
      expect(bomb.length).toBeLessThan(64 * 1024);
      const refused = await raw('POST', '/v1/guest-sessions', bomb, { 'content-encoding': 'gzip' });
      expectProblem(refused, 413, 'body-too-large');
      expect(refused.json.detail).toContain('decompresses to more than');
    });
  });

  describe('item 6: text that would be altered without a word is refused, naming the field', () => {
    const send = (body: string | Buffer) => raw('POST', `/v1/guest-sessions/${token}/messages`, body);

    it('a lone surrogate (JSON escape) in text or in a custom attribute', async () => {
      const text = await send('{"text":"a\\ud800b"}');
      expectProblem(text, 400, 'malformed-body', 'text');
      expect(text.json.errors[0]).toMatchObject({ code: 'LONE_SURROGATE', message: expect.stringContaining('U+D800) at position 1') });
      const attribute = await send('{"text":"hi","customAttributes":{"note":"x\\udc00"}}');
      expectProblem(attribute, 400, 'malformed-body', 'customAttributes.note');
    });

    it('bytes that are not UTF-8 are refused, not replaced by U+FFFD', async () => {
      const response = await send(Buffer.concat([Buffer.from('{"text":"a'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('b"}')]));
      expectProblem(response, 400, 'malformed-body', 'body');
      expect(response.json.errors[0]).toMatchObject({ code: 'INVALID_UTF8' });
    });

    it('NUL, terminal escapes and invisible-only text', async () => {
      const nul = await send('{"text":"a\\u0000b"}');
      expectProblem(nul, 400, 'malformed-body', 'text');
      expect(nul.json.errors[0]).toMatchObject({ code: 'NUL', message: 'contains a NUL character at position 1' });
      const escape = await send(JSON.stringify({ text: '\u001b[2J\u001b[31mhello' }));
      expectProblem(escape, 400, 'validation', 'text');
      expect(escape.json.errors[0].message).toBe('contains the control character U+001B at position 0 (only tab and line breaks are allowed)');
      for (const blank of ['\u200B\u200B', ' \u3000 ', '\uFEFF']) {
        const invisible = await send(JSON.stringify({ text: blank }));
        expectProblem(invisible, 400, 'validation', 'text');
        expect(invisible.json.errors[0].message).toContain('only invisible characters');
      }
      const agent = await api.request('POST', `/v1/conversations/${api.sandbox.truth.conversationIds({ from: 0, to: Date.now() })[0]}/messages`, { key: api.keys.admin, body: { text: 'x\u0085y' } });
      expectProblem(agent, 400, 'validation', 'text');
    });

    it('attachment names with a directory or a NUL', async () => {
      const attachment = (fileName: string) => JSON.stringify({ attachment: { fileName, mimeType: 'image/png', contentBase64: 'iVBORw0KGgo=' } });
      const traversal = await send(attachment('../../etc/passwd'));
      expectProblem(traversal, 400, 'validation', 'attachment.fileName');
      expect(traversal.json.errors[0].message).toContain('without a directory');
      const nul = await send(attachment('a\u0000.exe.png'));
      expectProblem(nul, 400, 'malformed-body', 'attachment.fileName');
      const bidi = await send(attachment('invoice\u202Egnp.exe'));
      expectProblem(bidi, 400, 'validation', 'attachment.fileName');
    });
  });

  describe('items 8–10', () => {
    it('8: {"constructor": …} and {"__proto__": …} are refused like any unknown field', async () => {
      for (const name of ['constructor', '__proto__', 'prototype']) {
        const response = await raw('POST', '/v1/guest-sessions', `{"deploymentId":"${api.sandbox.deploymentId}","${name}":{"x":1}}`);
        expectProblem(response, 400, 'malformed-body', name);
        expect(response.json.errors[0]).toMatchObject({ code: 'RESERVED_PROPERTY', message: 'is a reserved property name' });
      }
      const nested = await raw('POST', `/v1/guest-sessions/${token}/messages`, '{"text":"hi","attachment":{"constructor":{"name":"x"}}}');
      expectProblem(nested, 400, 'malformed-body', 'attachment.constructor');
    });

    it('9: a non-JSON content type on a JSON route is 415 naming Content-Type', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const response = await raw('POST', '/v1/guest-sessions', `{"deploymentId":"${api.sandbox.deploymentId}"}`, { 'content-type': type });
        expectProblem(response, 415, 'unsupported-media-type', 'Content-Type');
        expect(response.json.detail).toContain('application/json');
      }
      const latin1 = await raw('POST', '/v1/guest-sessions', '{}', { 'content-type': 'application/json; charset=latin1' });
      expectProblem(latin1, 415, 'unsupported-media-type', 'Content-Type');
      const none = await api.request('POST', '/v1/guest-sessions', { key: api.keys.admin, rawBody: '{}', headers: {}, contentType: '' });
      expectProblem(none, 415, 'unsupported-media-type', 'Content-Type');
    });

    it('10: the webhook checks the signature before it reads the body: a bad signature with a bad body is 401', async () => {
      const body = `{"broken": ${'['.repeat(50_000)}`;
      const wrong = await raw('POST', '/v1/webhooks/open-messaging', body, { 'x-hub-signature-256': signOpenMessagingBody(body, 'not-the-secret') }, null);
      expectProblem(wrong, 401, 'webhook-signature');
      const unsigned = await raw('POST', '/v1/webhooks/open-messaging', 'not json', { 'content-type': 'text/plain' }, null);
      expect(unsigned.status).toBe(401);
      // signed, then parsed: the same body checks as every route
      const signedText = 'not json';
      const signed = await raw('POST', '/v1/webhooks/open-messaging', signedText, { 'content-type': 'text/plain', 'x-hub-signature-256': signOpenMessagingBody(signedText, WEBHOOK_SECRET) }, null);
      expectProblem(signed, 415, 'unsupported-media-type', 'Content-Type');
    });
  });

  describe('items 11–12', () => {
    it('11: HSTS only over HTTPS, and no upgrade-insecure-requests', async () => {
      const plain = await api.request('GET', '/health/live');
      expect(plain.headers.get('strict-transport-security')).toBeNull();
      expect(plain.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
      const secure = await api.request('GET', '/health/live', { headers: { 'x-forwarded-proto': 'https' } });
      expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    });

    it('12: RateLimit-Reset equals Retry-After on a 429', async () => {
      let limited: ApiResponseData | undefined;
      for (let i = 0; i < 5 && !limited; i++) {
        const response = await api.request('GET', '/v1/audit?limit=1', { key: api.keys.throttled });
        if (response.status === 429) limited = response;
      }
      expect(limited).toBeDefined();
      expect(limited?.headers.get('ratelimit-reset')).toBe(limited?.headers.get('retry-after'));
      expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('12: a reversed /v1/audit window is a 400 naming to', async () => {
      const response = await api.request('GET', '/v1/audit?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', { key: api.keys.admin });
      expectProblem(response, 400, 'validation', 'to');
      expect(response.json.errors[0].message).toBe('must be after from (2026-03-02T00:00:00Z): the window is empty or reversed');
    });

    it('12: a malformed deploymentId is a 400 before any call to Genesys', async () => {
      const before = { requests: api.sandbox.stats.snapshot().requests.total, sessions: api.sandbox.webMessaging.sessions().length };
      const response = await api.request('POST', '/v1/guest-sessions', { key: api.keys.admin, body: { deploymentId: 'not-a-deployment' } });
      expectProblem(response, 400, 'validation', 'deploymentId');
      expect(response.json.errors[0].message).toBe('must be a web messaging deployment id (a UUID)');
      expect({ requests: api.sandbox.stats.snapshot().requests.total, sessions: api.sandbox.webMessaging.sessions().length }).toEqual(before);
      // an unknown (well-formed) deployment still reaches Genesys; its message ends in one period
      const unknown = await api.request('POST', '/v1/guest-sessions', { key: api.keys.admin, body: { deploymentId: '00000000-0000-4000-8000-000000000000' } });
      expectProblem(unknown, 422, 'deployment-refused', 'deploymentId');
      expect(unknown.json.detail).not.toMatch(/\.\.|\. *\./);
    });
  });

  it('item 7: failed review sign-ins from one address wait longer each time, even with the right key', async () => {
    const login = (apiKey: string) =>
      fetch(`${api.baseUrl}/review/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ apiKey }).toString(), redirect: 'manual' });
    for (let i = 0; i < 5; i++) expect((await login(`gcm_wrong-${i}`)).status).toBe(401);
    // the sixth failure is answered, and from now on the address waits
    expect((await login('gcm_wrong-6')).status).toBe(401);
    const blocked = await login(api.keys.reader);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('1');
    expect(await blocked.text()).toContain('Too many failed sign-ins');
  });

  it('log lines name the route pattern, never the guest token, and every 4xx above was logged without it', async () => {
    await raw('POST', `/v1/guest-sessions/${token}/messages?token=${token}`, 'not json');
    const lines = api.logs.map((line) => JSON.stringify(line));
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.filter((line) => line.includes(token))).toEqual([]);
    expect(api.logs).toContainEqual(expect.objectContaining({ msg: 'request', route: '/v1/guest-sessions/:token/messages', status: 400, problem: 'malformed-body' }));
  });
});
