import fc from 'fast-check';
import { signOpenMessagingBody } from '@gcm/messaging-client';
import type { TruthConversation } from '@gcm/genesys-sandbox';
import { ArchivesService } from '../app/archives/archives.service';
import { startApiHarness, sandboxConversationIds, WEBHOOK_SECRET, type ApiHarness, type ApiResponseData } from './api-harness';

/**
 * Property-based fuzzing of every mutating endpoint (and the parameters of the reading
 * ones): whatever the body, the query or the path, the API answers 2xx or a 4xx problem,
 * never a 5xx. 200 cases per endpoint in the normal suite, 2,000 with GCM_LONG_TESTS=1.
 */
const LONG = process.env['GCM_LONG_TESTS'] === '1';
const RUNS = LONG ? 2_000 : 200;
const PARAM_RUNS = LONG ? 500 : 60;
const SEED = Number(process.env['GCM_FUZZ_SEED'] ?? 20260301);

type Json = unknown;

/** Strings that tend to break things: empty, huge, unicode, control characters, injection-looking. */
const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', '😀'.repeat(1_001), 'x'.repeat(2_001), '<script>alert(1)</script>', 'javascript:alert(1)', '../../etc/passwd', '%00', '${jndi:x}', '__proto__', 'null', 'NaN', '-1', '1e309'),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  { depthSize: 'small' },
  nastyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(nastyString, { maxLength: 5 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 5 }),
);
const prototypeKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty');

/** An object with the endpoint's fields (valid-looking or not), maybe some unknown or prototype-polluting ones. */
function bodyOf(fields: Record<string, fc.Arbitrary<Json>>): fc.Arbitrary<Json> {
  const known = fc.record(
    Object.fromEntries(Object.entries(fields).map(([name, arbitrary]) => [name, fc.oneof({ weight: 5, arbitrary }, { weight: 1, arbitrary: anyValue })])),
    { requiredKeys: [] },
  );
  const extra = fc.dictionary(fc.oneof(prototypeKeys, nastyString), anyValue, { minKeys: 1, maxKeys: 2 });
  return fc.oneof(
    { weight: 8, arbitrary: known },
    { weight: 1, arbitrary: fc.tuple(known, extra).map(([a, b]) => ({ ...b, ...(a as object) })) },
    { weight: 1, arbitrary: anyValue },
  );
}

/** Mostly well-formed values, sometimes the nasty ones. */
const mostly = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: nastyString });
const hex32 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });

/** The body as sent: JSON mostly, sometimes broken JSON or another content type. */
const encoded = (body: fc.Arbitrary<Json>) =>
  fc.oneof(
    { weight: 18, arbitrary: body.map((b) => ({ raw: JSON.stringify(b) ?? 'null', contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.tuple(fc.string(), fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded')).map(([raw, contentType]) => ({ raw, contentType })) },
    { weight: 1, arbitrary: body.map((b) => ({ raw: (JSON.stringify(b) ?? '').slice(0, -1), contentType: 'application/json' })) },
  );

const uuid = fc.uuid();
const isoInstant = fc.date({ min: new Date('2026-02-10T00:00:00Z'), max: new Date('2026-03-03T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const segment = fc.oneof(uuid, nastyString.filter((s) => s.length > 0).map((s) => encodeURIComponent(s)), fc.constantFrom('%2e%2e', '..', '%00', 'a%2Fb'));

function expectNo5xx(response: ApiResponseData, what: unknown): void {
  if (response.status >= 500) throw new Error(`${response.status} for ${JSON.stringify(what).slice(0, 500)}: ${response.text.slice(0, 500)}`);
  if (response.status >= 400) {
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.json.status).toBe(response.status);
  }
}

describe(`fuzzing (fast-check, ${RUNS} cases per mutating endpoint): no 5xx`, () => {
  let api: ApiHarness;
  let truths: TruthConversation[];
  const statuses = new Map<string, Map<number, number>>();
  const count = (endpoint: string, status: number) => {
    const byStatus = statuses.get(endpoint) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    statuses.set(endpoint, byStatus);
  };

  beforeAll(async () => {
    api = await startApiHarness({
      sandbox: { conversations: 40, webMessaging: { messagesPerSecond: 10_000 } },
      env: { GCM_API_GUEST_MAX_SESSIONS: '25', GCM_API_LOG_LEVEL: 'error', GCM_API_BODY_LIMIT: '64kb', GCM_API_SEARCH_MAX_WINDOW: '7d' },
      runtime: { guest: { rateLimit: { maxPerWindow: 100_000, windowMs: 1_000 }, keepAlive: false }, genesysRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } },
    });
    truths = sandboxConversationIds(api.sandbox).map((id) => api.sandbox.truth.conversation(id) as TruthConversation);
  });
  afterAll(async () => {
    await api?.app.get(ArchivesService).idle();
    await api?.close();
    // the distribution shows the fuzzing reached past validation, not only 400s
    process.stdout.write(`fuzz status counts (seed ${SEED}): ${JSON.stringify(Object.fromEntries([...statuses].map(([k, v]) => [k, Object.fromEntries(v)])))}\n`);
  });

  const post = async (endpoint: string, path: string, body: { raw: string; contentType: string }, key = api.keys.admin, headers: Record<string, string> = {}) => {
    const response = await api.request('POST', path, { key, rawBody: body.raw, contentType: body.contentType, headers });
    count(endpoint, response.status);
    expectNo5xx(response, { path, body });
    return response;
  };
  const property = <T>(arbitrary: fc.Arbitrary<T>, run: (value: T) => Promise<unknown>, numRuns = RUNS) =>
    fc.assert(
      fc.asyncProperty(arbitrary, async (value) => {
        await run(value);
      }),
      { numRuns, seed: SEED, endOnFailure: true },
    );

  it('POST /v1/guest-sessions', async () => {
    const deployment = mostly(fc.constant(api.sandbox.deploymentId));
    const attributes = fc.dictionary(mostly(fc.stringMatching(/^[A-Za-z0-9_.-]{1,10}$/)), mostly(fc.string({ maxLength: 60 })), { maxKeys: 6 });
    await property(encoded(bodyOf({ deploymentId: deployment, customAttributes: attributes })), (body) => post('guest-sessions', '/v1/guest-sessions', body));
  }, 120_000);

  it('POST /v1/guest-sessions/{token}/messages', async () => {
    const open = await api.request('POST', '/v1/guest-sessions', { key: api.keys.admin, body: { deploymentId: api.sandbox.deploymentId } });
    const token = open.json.token as string;
    const base64 = fc.oneof(fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')), nastyString);
    const attachment = fc.record(
      { fileName: fc.oneof(fc.constantFrom('a.png', 'b.PDF', 'c.exe', 'd.', 'noext'), nastyString), mimeType: fc.oneof(fc.constantFrom('image/png', 'application/pdf', 'text/plain', 'image/*'), nastyString), contentBase64: base64 },
      { requiredKeys: [] },
    );
    const body = bodyOf({ text: mostly(fc.lorem()), customAttributes: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), mostly(fc.string({ maxLength: 40 })), { maxKeys: 4 }), attachment });
    const tokens = fc.oneof({ weight: 5, arbitrary: fc.constant(token) }, { weight: 1, arbitrary: segment });
    await property(fc.tuple(tokens, encoded(body)), ([t, b]) => post('guest-messages', `/v1/guest-sessions/${t}/messages`, b));
  }, 120_000);

  it('DELETE /v1/guest-sessions/{token}', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) tokens.push((await api.request('POST', '/v1/guest-sessions', { key: api.keys.admin, body: { deploymentId: api.sandbox.deploymentId } })).json.token);
    await property(fc.oneof(segment, fc.constantFrom(...tokens)), async (t) => {
      const response = await api.request('DELETE', `/v1/guest-sessions/${t}`, { key: api.keys.admin });
      count('guest-delete', response.status);
      expectNo5xx(response, t);
    });
  }, 60_000);

  it('POST /v1/conversations/{id}/messages', async () => {
    const pick = (predicate: (t: TruthConversation) => boolean) => truths.find(predicate)?.id as string;
    const ids = fc.oneof(
      fc.constantFrom(
        pick((t) => t.participants.some((p) => p.purpose === 'agent' && p.state === 'connected')),
        pick((t) => t.messengerType === 'sms'),
        pick((t) => t.messengerType === 'open'),
        pick((t) => t.messengerType === 'webmessaging'),
      ),
      segment,
    );
    const template = fc.record({ responseId: nastyString, parameters: fc.array(fc.record({ id: nastyString, value: nastyString }, { requiredKeys: [] }), { maxLength: 3 }) }, { requiredKeys: [] });
    const body = fc.oneof(
      // one body kind at a time, as a real caller sends: these get past validation to Genesys
      fc.record({ text: fc.lorem(), via: fc.constantFrom('agent', 'agentless') }, { requiredKeys: ['text'] }),
      bodyOf({
        text: mostly(fc.lorem()),
        mediaIds: fc.array(nastyString, { maxLength: 3 }),
        template,
        via: fc.constantFrom('agent', 'agentless', 'pigeon'),
      }),
    );
    await property(fc.tuple(ids, encoded(body)), ([id, b]) => post('conversation-messages', `/v1/conversations/${id}/messages`, b));
  }, 120_000);

  it('POST /v1/archives', async () => {
    const window = fc.oneof(
      fc.tuple(isoInstant, isoInstant).map(([a, b]) => `${a}/${b}`),
      fc.tuple(fc.date({ noInvalidDate: true }), fc.date({ noInvalidDate: true })).map(([a, b]) => `${a.toISOString()}/${b.toISOString()}`),
      nastyString,
    );
    const conversationIds = fc.oneof(fc.array(fc.constantFrom(...truths.slice(0, 5).map((t) => t.id)), { maxLength: 3 }), fc.array(fc.oneof(uuid, nastyString), { maxLength: 4 }));
    await property(encoded(bodyOf({ window, conversationIds })), (b) => post('archives', '/v1/archives', b));
  }, 120_000);

  it('POST /v1/webhooks/open-messaging', async () => {
    const message = bodyOf({
      id: mostly(hex32),
      type: fc.constantFrom('Text', 'Structured', 'Receipt'),
      direction: fc.constantFrom('Outbound', 'Inbound', 'Sideways'),
      originatingEntity: fc.constantFrom('Human', 'Bot'),
      text: nastyString,
      content: fc.array(anyValue, { maxLength: 2 }),
      conversationId: fc.oneof(uuid, nastyString),
      channel: fc.record({ id: nastyString, time: fc.oneof(isoInstant, nastyString), messageId: nastyString }, { requiredKeys: [] }),
    });
    const signing = fc.constantFrom('valid', 'valid', 'valid', 'wrong', 'none', 'hex');
    await property(fc.tuple(encoded(message), signing), ([b, how]) => {
      const headers: Record<string, string> =
        how === 'none'
          ? {}
          : { 'x-hub-signature-256': how === 'valid' ? signOpenMessagingBody(b.raw, WEBHOOK_SECRET) : how === 'wrong' ? signOpenMessagingBody(b.raw, 'not-the-secret') : `sha256=${'ab'.repeat(32)}` };
      return post('webhook', '/v1/webhooks/open-messaging', b, '', headers);
    });
  }, 120_000);

  it('GET parameters: search, timeline, audit, archives', async () => {
    // half the cases well-formed throughout (they reach Genesys), half with any value anywhere
    const validQueryOf = (fields: Record<string, fc.Arbitrary<string>>) =>
      fc.record(fields, { requiredKeys: [] }).map((known) => new URLSearchParams(known as Record<string, string>).toString());
    const anyQueryOf = (fields: Record<string, fc.Arbitrary<string>>) =>
      fc
        .tuple(
          fc.record(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, mostly(v)])), { requiredKeys: [] }),
          fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(fc.oneof(nastyString, prototypeKeys), nastyString, { maxKeys: 2 }) }),
        )
        .map(([known, extra]) => new URLSearchParams({ ...(extra as Record<string, string>), ...(known as Record<string, string>) }).toString());
    const queryOf = (fields: Record<string, fc.Arbitrary<string>>) => fc.oneof(validQueryOf(fields), anyQueryOf(fields));
    const window = fc.tuple(isoInstant, fc.integer({ min: 1, max: 3 * 86_400_000 })).map(([from, span]) => ({ from, to: new Date(Date.parse(from) + span).toISOString() }));
    const search = fc.oneof(
      fc
        .tuple(
          window,
          validQueryOf({
            strategy: fc.constantFrom('auto', 'jobs'),
            mediaType: fc.constantFrom('message', 'voice'),
            messageTypes: fc.constantFrom('webmessaging', 'sms,open'),
            queueIds: fc.constant(api.sandbox.world.catalog.queues[0].id),
            limit: fc.integer({ min: 1, max: 50 }).map(String),
            checkpointEvery: fc.integer({ min: 0, max: 10 }).map(String),
          }),
        )
        .map(([w, q]) => `${new URLSearchParams(w).toString()}&${q}`),
      anyQueryOf({
        from: isoInstant,
        to: isoInstant,
        strategy: fc.constantFrom('auto', 'query', 'jobs'),
        match: fc.constantFrom('started', 'activity'),
        mediaType: fc.constantFrom('message', 'voice'),
        messageTypes: fc.constantFrom('webmessaging', 'sms,open', 'fax'),
        queueIds: fc.oneof(uuid, fc.constant(api.sandbox.world.catalog.queues[0].id)),
        limit: fc.integer({ min: -5, max: 50 }).map(String),
        checkpointEvery: fc.integer({ min: -1, max: 10 }).map(String),
        resumeToken: fc.base64String({ maxLength: 40 }),
      }),
    );
    const timeline = queryOf({ format: fc.constantFrom('json', 'markdown', 'text', 'pdf'), from: isoInstant, to: isoInstant, messageTypes: fc.constantFrom('Text', 'Event,Text', 'Nope'), receipts: fc.constantFrom('true', 'false', 'yes') });
    const audit = queryOf({ actor: nastyString, action: nastyString, actionPrefix: nastyString, outcome: fc.constantFrom('success', 'failure', 'meh'), from: isoInstant, to: isoInstant, after: fc.integer({ min: -3, max: 50 }).map(String), limit: fc.integer({ min: -3, max: 600 }).map(String) });
    const request = fc.oneof(
      fc.tuple(fc.constant('search'), search).map(([, q]) => `/v1/conversations/search?${q}`),
      fc.tuple(fc.oneof(fc.constantFrom(...truths.slice(0, 3).map((t) => t.id)), segment), timeline).map(([id, q]) => `/v1/conversations/${id}/timeline?${q}`),
      audit.map((q) => `/v1/audit?${q}`),
      fc.tuple(segment, fc.oneof(fc.integer({ min: -2, max: 3 }).map(String), nastyString)).map(([id, v]) => `/v1/archives/conversations/${id}?version=${encodeURIComponent(v)}`),
      segment.map((id) => `/v1/archives/${id}`),
      segment.map((t) => `/v1/guest-sessions/${t}/messages?limit=${t.length}`),
    );
    await property(
      request,
      async (path) => {
        const response = await api.request('GET', path, { key: api.keys.admin });
        count(`GET ${path.split('?')[0].split('/').slice(0, 3).join('/')}`, response.status);
        expectNo5xx(response, path);
      },
      PARAM_RUNS * 3,
    );
  }, 180_000);
});
