import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { signOpenMessagingBody } from '@gcm/messaging-client';
import { ArchivesService } from '../app/archives/archives.service';
import { startApiHarness, sandboxConversationIds, WEBHOOK_SECRET, type ApiHarness } from './api-harness';

/**
 * The hostile-input suite (issue #18): fast-check generators for nesting, content
 * encodings, Unicode edge cases (lone surrogates, NUL, bidi and C0/C1 controls, invisible
 * characters, bytes that are not UTF-8), content types and body sizes, sent to every route
 * of the API. The properties: never a 5xx; every 4xx is problem+json with its status (or,
 * on the review pages, an HTML page with its status); and no guest token, API key or
 * secret in any log line the API wrote.
 *
 * 200 cases per route in the normal suite, 5,000 with GCM_LONG_TESTS=1; GCM_FUZZ_SEED
 * picks another seed.
 */
const LONG = process.env['GCM_LONG_TESTS'] === '1';
const RUNS = LONG ? 5_000 : 200;
const SEED = Number(process.env['GCM_FUZZ_SEED'] ?? 20261207);
const BODY_LIMIT = 64 * 1024;

interface HostileRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

// ── Unicode edge cases ─────────────────────────────────────────────────────────────────
/** Written as JSON escapes: JSON.parse turns them into lone surrogates, NUL, controls. */
const escapedEdge = fc.constantFrom('\\ud800', '\\udfff', '\\udbff\\udbff', '\\u0000', '\\u001b[2J', '\\u0007', '\\u0085', '\\u009b', '\\u202e', '\\u2066', '\\u200f', '\\r', '\\t', '\\n');
/** Written as UTF-8: bidi overrides, zero-width and format characters, combining marks, astral and noncharacters. */
const rawEdge = fc.constantFrom('\u202e', '\u202d', '\u2067', '\u061c', '\u200b', '\u200d', '\u2060', '\ufeff', '\u3164', '\u115f', '\u2800', '\u0301\u0301\u0301', '😀', '\u{10FFFF}', '\uFFFF', '\uFDD0', 'ﷺ', '𝕏', ' ', '\u00a0');
/** Bytes that are not UTF-8: a stray continuation, an overlong '/', an encoded surrogate, beyond U+10FFFF, a truncated sequence. */
const invalidUtf8 = fc.constantFrom([0xff], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]);
const plainChunk = fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s).slice(1, -1));
const injection = fc.constantFrom('<script>alert(1)</script>', '../../etc/passwd', '..\\\\..\\\\boot.ini', '${jndi:ldap://x}', "' OR 1=1 --", '%00', 'javascript:alert(1)');

const jsonStringLiteral = fc
  .array(fc.oneof({ weight: 3, arbitrary: plainChunk }, { weight: 2, arbitrary: escapedEdge }, { weight: 2, arbitrary: rawEdge }, { weight: 1, arbitrary: injection.map((s) => JSON.stringify(s).slice(1, -1)) }), { maxLength: 6 })
  .map((parts) => `"${parts.join('')}"`);

// ── nesting ────────────────────────────────────────────────────────────────────────────
const depth = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 40 }) }, { weight: 1, arbitrary: fc.constantFrom(31, 32, 33, 500, 5_000, 20_000, 100_000) });
const nested = fc.tuple(depth, fc.constantFrom('array', 'object', 'mixed'), jsonStringLiteral).map(([levels, shape, leaf]) => {
  if (shape === 'array') return `${'['.repeat(levels)}${leaf}${']'.repeat(levels)}`;
  if (shape === 'object') return `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;
  return `${'[{"a":'.repeat(Math.ceil(levels / 2))}${leaf}${'}]'.repeat(Math.ceil(levels / 2))}`;
});

const jsonValue = fc.oneof(
  { weight: 5, arbitrary: jsonStringLiteral },
  { weight: 2, arbitrary: nested },
  { weight: 1, arbitrary: fc.constantFrom('null', 'true', '0', '-1', '1e309', '12345678901234567890', '[]', '{}') },
  { weight: 1, arbitrary: fc.array(jsonStringLiteral, { maxLength: 4 }).map((items) => `[${items.join(',')}]`) },
);

const reservedKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty');

/** A JSON text for a route with these fields: mostly an object of them (values hostile), sometimes anything. */
function jsonBody(fields: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    { weight: 6, arbitrary: fields.length > 0 ? fc.constantFrom(...fields) : fc.constant('x') },
    { weight: 1, arbitrary: reservedKeys },
    { weight: 1, arbitrary: jsonStringLiteral.map((literal) => literal.slice(1, -1)) },
  );
  const object = fc.array(fc.tuple(key, jsonValue), { maxLength: 4 }).map((entries) => `{${entries.map(([k, v]) => `"${k}":${v}`).join(',')}}`);
  return fc.oneof(
    { weight: 8, arbitrary: object },
    { weight: 1, arbitrary: jsonValue },
    { weight: 1, arbitrary: object.map((text) => text.slice(0, Math.max(0, text.length - 1 - (text.length % 5)))) },
  );
}

// ── sizes, encodings, content types ────────────────────────────────────────────────────
const padding = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constantFrom(BODY_LIMIT - 64, BODY_LIMIT, BODY_LIMIT + 1, 3 * BODY_LIMIT) },
);
const contentCoding = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | undefined>(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-gzip', 'gzip, br', 'GZIP', 'compress', 'zstd', 'gzip, gzip, gzip', ' , ', 'gzip;q=1') },
);
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=----x',
      'application/json; charset=utf-16',
      'application/json; charset="UTF-8"',
      'application/merge-patch+json',
      'APPLICATION/JSON',
      'application/xml',
      '',
      'a/b/c; ;;=',
      `application/json; ${'x'.repeat(2_000)}=1`,
    ),
  },
);

function encode(bytes: Buffer, coding: string | undefined, honest: boolean): Buffer {
  if (!honest || coding === undefined) return bytes;
  const first = coding.split(',')[0]?.trim().toLowerCase();
  if (first === 'gzip' || first === 'x-gzip') return gzipSync(bytes);
  if (first === 'deflate') return deflateSync(bytes);
  if (first === 'br') return brotliCompressSync(bytes);
  return bytes;
}

/** The bytes of a hostile body: JSON text (sometimes padded, sometimes with invalid UTF-8 spliced in), encoded or mislabelled. */
function hostileBody(fields: readonly string[]) {
  return fc
    .record({
      text: jsonBody(fields),
      pad: padding,
      badBytes: fc.option(fc.tuple(invalidUtf8, fc.nat()), { freq: 6 }),
      coding: contentCoding,
      honest: fc.boolean(),
      type: contentType,
    })
    .map(({ text, pad, badBytes, coding, honest, type }) => {
      const padded = pad > 0 && text.startsWith('{') && text.length > 2 ? `{"pad":"${'p'.repeat(pad)}",${text.slice(1)}` : text;
      let bytes = Buffer.from(padded, 'utf8');
      if (badBytes) {
        const [inserted, at] = badBytes;
        const position = bytes.length === 0 ? 0 : at % bytes.length;
        bytes = Buffer.concat([bytes.subarray(0, position), Buffer.from(inserted), bytes.subarray(position)]);
      }
      const headers: Record<string, string> = {};
      if (type !== '') headers['content-type'] = type;
      if (coding !== undefined) headers['content-encoding'] = coding;
      return { body: encode(bytes, coding, honest), headers };
    });
}

// ── paths and queries ──────────────────────────────────────────────────────────────────
const hostileSegment = fc.oneof(
  fc.constantFrom('%ED%A0%80', '%00', '%C0%AF', '..%2F..%2Fetc%2Fpasswd', '%E2%80%AE', '%FF', '%', '%%', 'a%2Fb', '..', '%2e%2e', 'x'.repeat(3_000)),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((s) => encodeURIComponent(s)),
  fc.uuid(),
);
const hostileQueryValue = fc.oneof(
  fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s)),
  fc.constantFrom('%ED%A0%80', '%00', '%E2%80%AE', '%1B%5B2J', '2026-03-01T00:00:00Z', '2026-02-01T00:00:00Z', '-1', '1e309', '%FF', 'a&b=c', '%5B%5D'),
);
function query(names: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof({ weight: 4, arbitrary: names.length > 0 ? fc.constantFrom(...names) : fc.constant('x') }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'a[b]', 'a[]', '%00') });
  return fc.array(fc.tuple(name, hostileQueryValue), { maxLength: 4 }).map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));
}
const hostileHeaders = fc.record(
  {
    'x-request-id': fc.constantFrom('ok-id', '\u00e9t\u00e9', 'x'.repeat(300), '../../etc'),
    accept: fc.constantFrom('*/*', 'text/html', 'application/xml', '', 'application/problem+json'),
  },
  { requiredKeys: [] },
);

// ── the routes ─────────────────────────────────────────────────────────────────────────
interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** `{token}`, `{id}` and `{runId}` are filled with a real value or a hostile segment. */
  readonly path: string;
  readonly fields?: readonly string[];
  readonly query?: readonly string[];
  readonly signed?: boolean;
}

const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/v1/guest-sessions', fields: ['deploymentId', 'customAttributes'] },
  { method: 'POST', path: '/v1/guest-sessions/{token}/messages', fields: ['text', 'customAttributes', 'attachment'] },
  { method: 'GET', path: '/v1/guest-sessions/{token}/messages', query: ['limit'] },
  { method: 'DELETE', path: '/v1/guest-sessions/{token}' },
  { method: 'POST', path: '/v1/conversations/{id}/messages', fields: ['text', 'mediaIds', 'template', 'via'] },
  { method: 'GET', path: '/v1/conversations/{id}/timeline', query: ['format', 'from', 'to', 'messageTypes', 'receipts'] },
  { method: 'GET', path: '/v1/conversations/search', query: ['from', 'to', 'match', 'strategy', 'mediaType', 'messageTypes', 'queueIds', 'limit', 'resumeToken', 'checkpointEvery'] },
  { method: 'GET', path: '/v1/events', query: ['queueId', 'conversationId'] },
  { method: 'POST', path: '/v1/archives', fields: ['window', 'conversationIds'] },
  { method: 'GET', path: '/v1/archives/{runId}' },
  { method: 'GET', path: '/v1/archives/conversations/{id}', query: ['version'] },
  { method: 'POST', path: '/v1/webhooks/open-messaging', fields: ['id', 'type', 'direction', 'text', 'content', 'channel', 'conversationId', 'originatingEntity'], signed: true },
  { method: 'GET', path: '/v1/audit', query: ['actor', 'action', 'actionPrefix', 'target', 'outcome', 'from', 'to', 'after', 'limit'] },
  { method: 'GET', path: '/v1/audit/verify' },
  { method: 'GET', path: '/health/live' },
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/metrics' },
  { method: 'GET', path: '/docs-json' },
  { method: 'GET', path: '/review', query: ['from', 'to', 'queueId', 'conversationId', 'integrity', 'sla', 'after'] },
  { method: 'GET', path: '/review/login' },
  { method: 'POST', path: '/review/login', fields: ['apiKey'] },
  { method: 'POST', path: '/review/logout' },
  { method: 'GET', path: '/review/conversations/{id}', query: ['version'] },
  { method: 'GET', path: '/review/conversations/{id}/export.md', query: ['version'] },
  { method: 'GET', path: '/review/conversations/{id}/export.json', query: ['version'] },
  { method: 'GET', path: '/v1/no-such-route' },
];

describe(`hostile input (fast-check, ${RUNS} cases per route): no 5xx, problems on every 4xx, no secret in the logs`, () => {
  let api: ApiHarness;
  let tokens: string[];
  let conversationIds: string[];
  /** A live review session (for the review pages' GET routes: sign-out would end it). */
  let reviewCookie: string;
  const statuses = new Map<string, Map<number, number>>();

  beforeAll(async () => {
    api = await startApiHarness({
      sandbox: { conversations: 12, webMessaging: { messagesPerSecond: 10_000 } },
      env: { GCM_API_BODY_LIMIT: '64kb', GCM_API_GUEST_MAX_SESSIONS: '50', GCM_API_SEARCH_MAX_WINDOW: '2d', GCM_API_ARCHIVE_MAX_WINDOW: '2d', GCM_API_EVENTS_HEARTBEAT: '1s' },
      runtime: { guest: { rateLimit: { maxPerWindow: 100_000, windowMs: 1_000 }, keepAlive: false }, genesysRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } },
    });
    tokens = [];
    for (let i = 0; i < 3; i++) tokens.push((await api.request('POST', '/v1/guest-sessions', { key: api.keys.admin, body: { deploymentId: api.sandbox.deploymentId } })).json.token);
    conversationIds = sandboxConversationIds(api.sandbox).slice(0, 3);
    // archive a few so the archive and review routes have something real to show
    await api.request('POST', '/v1/archives', { key: api.keys.admin, body: { conversationIds } });
    await api.app.get(ArchivesService).idle();
    const login = await fetch(`${api.baseUrl}/review/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `apiKey=${api.keys.admin}`, redirect: 'manual' });
    reviewCookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(reviewCookie).toMatch(/^gcm_review=rs_/);
  }, 60_000);

  afterAll(async () => {
    await api?.app.get(ArchivesService).idle();
    await api?.close();
    process.stdout.write(`hostile-input status counts (seed ${SEED}): ${JSON.stringify(Object.fromEntries([...statuses].map(([k, v]) => [k, Object.fromEntries(v)])))}\n`);
  });

  function requestFor(route: Route): fc.Arbitrary<HostileRequest> {
    const pathParam = (real: readonly string[]) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...real) }, { weight: 2, arbitrary: hostileSegment });
    const path = fc
      .record({ token: pathParam(tokens), id: pathParam(conversationIds), runId: pathParam(['00000000-0000-4000-8000-000000000000']), q: query(route.query ?? []) })
      .map(({ token, id, runId, q }) => `${route.path.replace('{token}', token).replace('{id}', id).replace('{runId}', runId)}${q}`);
    const credentials = fc.constantFrom('admin', 'admin', 'admin', 'none', 'wrong', 'reader');
    const body = route.method === 'GET' ? fc.constant(undefined) : fc.option(hostileBody(route.fields ?? []), { freq: 8 });
    const signing = fc.constantFrom('valid', 'valid', 'wrong', 'none');
    return fc.record({ path, credentials, body, headers: hostileHeaders, signing }).map(({ path: p, credentials: who, body: b, headers, signing: how }) => {
      const all: Record<string, string> = { ...headers, ...(b?.headers ?? {}) };
      if (who !== 'none') all['authorization'] = `Bearer ${who === 'admin' ? api.keys.admin : who === 'reader' ? api.keys.reader : 'gcm_wrong-key'}`;
      if (route.path.startsWith('/review') && who === 'admin') all['cookie'] = route.method === 'GET' ? reviewCookie : 'gcm_review=rs_not-a-session';
      if (route.signed && how !== 'none') all['x-hub-signature-256'] = signOpenMessagingBody(b?.body ?? Buffer.alloc(0), how === 'valid' ? WEBHOOK_SECRET : 'not-the-secret');
      return { method: route.method, path: p, headers: all, ...(b ? { body: b.body } : {}) };
    });
  }

  async function send(request: HostileRequest): Promise<{ status: number; type: string; text: string }> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 20_000);
    try {
      const response = await fetch(`${api.baseUrl}${request.path}`, { method: request.method, headers: request.headers, body: request.body, signal: abort.signal, redirect: 'manual' });
      const type = response.headers.get('content-type') ?? '';
      // a live stream (events) never ends on its own: its status and type are the answer
      if (type.startsWith('text/event-stream')) {
        abort.abort();
        return { status: response.status, type, text: '' };
      }
      return { status: response.status, type, text: await response.text() };
    } finally {
      clearTimeout(timer);
    }
  }

  it.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', async (name, route) => {
    const byStatus = new Map<number, number>();
    statuses.set(name, byStatus);
    await fc.assert(
      fc.asyncProperty(requestFor(route), async (request) => {
        const response = await send(request);
        byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
        const shown = `${request.method} ${request.path.slice(0, 200)} [${JSON.stringify(request.headers).slice(0, 300)}] → ${response.status} ${response.text.slice(0, 300)}`;
        if (response.status >= 500) throw new Error(`5xx: ${shown}`);
        if (response.status >= 400) {
          if (request.path.startsWith('/review') && response.type.startsWith('text/html')) {
            // the review pages answer their own errors as pages, with the same status (what fails before
            // routing — a body over the limit, an undecodable path — is a problem like everywhere)
          } else {
            if (!response.type.startsWith('application/problem+json')) throw new Error(`4xx without problem+json: ${shown}`);
            const problem = JSON.parse(response.text) as { status?: number };
            if (problem.status !== response.status) throw new Error(`problem status differs: ${shown}`);
          }
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, LONG ? 1_800_000 : 120_000);

  it('wrote no guest token, API key or secret to any log line', async () => {
    await api.app.get(ArchivesService).idle();
    const lines = api.logs.map((line) => JSON.stringify(line));
    expect(lines.length).toBeGreaterThan(ROUTES.length * 10);
    const secrets = [...tokens, ...Object.values(api.keys), WEBHOOK_SECRET, api.sandbox.clientSecret];
    for (const secret of secrets) expect(lines.filter((line) => line.includes(secret)).map((line) => line.slice(0, 200))).toEqual([]);
  });
});
