import { request as httpRequest } from 'node:http';
import { shutdownApiApplication } from '../app/bootstrap';
import { startApiHarness, sandboxConversationIds, type ApiHarness } from './api-harness';

describe('Genesys failures mapped to HTTP (e2e, sandbox faults)', () => {
  let api: ApiHarness;
  let id: string;

  beforeAll(async () => {
    api = await startApiHarness({
      sandbox: { conversations: 30 },
      // one attempt: the mapping is under test here, the transport's retries are specced in genesys-auth
      runtime: { genesysRetry: { maxAttempts: 1 }, search: { queryPageSize: 5, serverErrorRetries: 0 } },
    });
    id = sandboxConversationIds(api.sandbox)[0];
    expect((await api.request('GET', '/health')).status).toBe(200); // token fetched before any fault
  });
  afterEach(() => {
    api.sandbox.setFaults('none');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('an upstream 429 is a 503 with Retry-After: our quota, not the caller\'s fault', async () => {
    api.sandbox.setFaults('none,http429=1,retryAfterSeconds=7');
    const response = await api.request('GET', `/v1/conversations/${id}/timeline`, { key: api.keys.reader });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.json).toMatchObject({ type: 'urn:gcm:problem:upstream-rate-limited', upstream: { status: 429, code: 'too.many.requests.retry.after' } });
  });

  it('upstream 5xx and HTML error pages are 502s', async () => {
    for (const fault of ['http500=1', 'http503=1', 'html=1']) {
      api.sandbox.setFaults(`none,${fault}`);
      const response = await api.request('GET', `/v1/conversations/${id}/timeline`, { key: api.keys.reader });
      expect({ fault, status: response.status, type: response.json.type }).toEqual({ fault, status: 502, type: 'urn:gcm:problem:upstream-unavailable' });
    }
  });

  it('a search failing mid-stream ends with an error line that carries a resume token', async () => {
    const lines: Array<Record<string, unknown>> = [];
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        `${api.baseUrl}/v1/conversations/search?from=2026-02-01T00:00:00Z&to=2026-03-01T12:00:00Z&strategy=query`,
        { headers: { authorization: `Bearer ${api.keys.reader}` } },
        (response) => {
          expect(response.statusCode).toBe(200);
          let buffer = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            // fail Genesys from the first bytes on: later pages cannot be read
            api.sandbox.setFaults('none,http500=1');
            buffer += chunk;
          });
          response.on('end', () => {
            lines.push(...buffer.trimEnd().split('\n').map((line) => JSON.parse(line)));
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    const last = lines.at(-1) as { type: string; problem: { status: number; type: string }; resumeToken: string; results: number };
    expect(last.type).toBe('error');
    expect(last.problem).toMatchObject({ status: 502, type: 'urn:gcm:problem:upstream-unavailable' });
    expect(last.results).toBe(lines.filter((l) => l['type'] === 'conversation').length);
    expect(last.resumeToken).toEqual(expect.any(String));
  });

  it('finishes requests in flight on shutdown and takes no new ones', async () => {
    api.sandbox.setFaults('none,latencyMs=400');
    const inFlight = api.request('GET', `/v1/conversations/${id}/timeline`, { key: api.keys.reader });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = shutdownApiApplication(api.app, 5_000);
    const response = await inFlight;
    await closing;
    expect(response.status).toBe(200);
    expect(response.json.conversation.id).toBe(id);
    await expect(fetch(`${api.baseUrl}/health/live`)).rejects.toThrow();
  });
});

describe('Genesys refusing the API credentials', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness({ sandbox: { conversations: 5 }, env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: 'wrong-client-secret-value' }, runtime: { genesysRetry: { maxAttempts: 1 } } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 502 with a message the operator can act on, never the secret', async () => {
    const id = sandboxConversationIds(api.sandbox)[0];
    const response = await api.request('GET', `/v1/conversations/${id}/timeline`, { key: api.keys.reader });
    expect(response.status).toBe(502);
    expect(response.json.type).toBe('urn:gcm:problem:upstream-auth');
    expect(response.json.detail).toContain('GENESYSCLOUD_OAUTHCLIENT_SECRET');
    expect(response.text).not.toContain('wrong-client-secret-value');
    const ready = await api.request('GET', '/health');
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ status: 'error', error: { genesys: { status: 'down' } }, info: { database: { status: 'up' } } });
    expect(ready.text).not.toContain('wrong-client-secret-value');
    expect(JSON.stringify(api.logs)).not.toContain('wrong-client-secret-value');
  });
});
