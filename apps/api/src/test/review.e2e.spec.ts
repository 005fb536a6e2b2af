import { MutationAuditRecorder } from '../app/audit/mutation-audit.recorder';
import { REVIEW_PAGE_SIZE } from '../app/review/review.service';
import { hashApiKey } from '../app/auth/api-key';
import { startApiHarness } from './api-harness';
import { BIDI_SHOWN, BIDI_TEXT, cookieClient, HOSTILE_TEXTS, startReviewFixture, type ReviewFixture } from './review-fixture';

describe('transcript review pages (e2e over HTTP, sandbox + SQLite)', () => {
  let fixture: ReviewFixture;
  let client: ReturnType<typeof cookieClient>;

  beforeAll(async () => {
    fixture = await startReviewFixture();
    client = cookieClient(fixture.api.baseUrl);
  }, 60_000);
  afterAll(async () => {
    await fixture?.api.close();
  });

  it('sends a visitor without a session to the login form, which needs no key', async () => {
    const list = await client.request('GET', '/review');
    expect(list.status).toBe(303);
    expect(list.headers.get('location')).toBe('/review/login');
    const form = await client.request('GET', '/review/login');
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(form.text).toMatch(/<label for="api-key">API key<\/label>/);
    expect(form.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(form.headers.get('content-security-policy')).not.toContain('script-src');
  });

  it('refuses a wrong key, a key without the read scope, an empty form and a cross-site post, naming the field', async () => {
    const wrong = await client.request('POST', '/review/login', { form: { apiKey: 'gcm_not-a-key' } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('apiKey: this key is not valid');
    expect(wrong.text).not.toContain('gcm_not-a-key');
    expect(wrong.setCookie).toBeNull();
    const scraper = await client.request('POST', '/review/login', { form: { apiKey: fixture.api.keys.scraper } });
    expect(scraper.status).toBe(403);
    expect(scraper.text).toContain('lacks the read scope');
    expect((await client.request('POST', '/review/login', { form: { apiKey: '' } })).text).toContain('apiKey: enter an API key');
    const crossSite = await client.request('POST', '/review/login', { form: { apiKey: fixture.api.keys.reader }, headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.setCookie).toBeNull();
    const fetchMetadata = await client.request('POST', '/review/login', { form: { apiKey: fixture.api.keys.reader }, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(fetchMetadata.status).toBe(403);
    expect(fetchMetadata.setCookie).toBeNull();
    expect((await client.request('POST', '/review/login', { form: { apiKey: 'x'.repeat(3_000) } })).status).toBe(413);
  });

  it('keeps a server-side session id (never the key) in an HttpOnly, SameSite=Strict cookie scoped to /review', async () => {
    const login = await client.request('POST', '/review/login', { form: { apiKey: fixture.api.keys.reader } });
    expect(client.cookie).toMatch(/^gcm_review=rs_[A-Za-z0-9_-]{43}$/);
    expect(login.setCookie).not.toContain(fixture.api.keys.reader);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/review');
    const attributes = (login.setCookie ?? '').split(';').map((s) => s.trim());
    expect(attributes).toEqual(expect.arrayContaining(['Path=/review', 'HttpOnly', 'SameSite=Strict']));
    expect(attributes.some((a) => /^(Max-Age|Expires)=/i.test(a))).toBe(false);
    // the cookie is a credential for /review only: the REST API still wants the Authorization header
    const restPath = `/v1/archives/conversations/${fixture.archived[0]}`;
    const rest = await fetch(`${fixture.api.baseUrl}${restPath}`, { headers: { cookie: client.cookie as string } });
    fixture.api.checkResponse('GET', restPath, rest, await rest.clone().text());
    expect(rest.status).toBe(401);
  });

  it('lists every archived conversation newest first, with integrity and SLA flags, and filters', async () => {
    const list = await client.request('GET', '/review');
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toBe('no-store');
    for (const id of fixture.archived) expect(list.text).toContain(`href="/review/conversations/${id}"`);
    expect(list.text).toContain('Signed in as <strong>reader</strong>');
    const flagged = await client.request('GET', '/review?integrity=findings');
    expect(flagged.text).toContain(fixture.outOfOrderConversationId);
    expect(flagged.text).toMatch(/out of order/);
    const clean = await client.request('GET', '/review?integrity=clean');
    expect(clean.text).not.toContain(`/review/conversations/${fixture.outOfOrderConversationId}"`);
    const one = await client.request('GET', `/review?conversationId=${fixture.hostileConversationId.toUpperCase()}`);
    expect(one.text.match(/href="\/review\/conversations\//g)).toHaveLength(1);
    // queues by name (the routing API), not by id
    const queues = fixture.api.sandbox.truth.catalog.queues;
    const listed = await client.request('GET', '/review');
    expect(queues.some((q) => listed.text.includes(`<span class="queue" title="queue ${q.id}">${q.name}</span>`))).toBe(true);
    expect(listed.text).not.toMatch(/<code class="id[^"]*"[^>]*>[0-9a-f-]{36}<\/code>/);
    expect(listed.text).toContain(`<option value="${queues[0].id}">${queues[0].name}</option>`);
    const none = await client.request('GET', '/review?from=2030-01-01');
    expect(none.text).toContain('No archived conversation matches.');
    expect(REVIEW_PAGE_SIZE).toBeGreaterThan(fixture.archived.length);
  });

  it('answers bad filters with the list page naming each field and its limit (400), not a stack trace', async () => {
    const bad = await client.request('GET', '/review?from=yesterday&queueId=nope&integrity=all&sla=late&after=%%%');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('text/html; charset=utf-8');
    for (const expected of ['<strong>from</strong>: must be a date as YYYY-MM-DD', '<strong>queueId</strong>: must be a Genesys id', '<strong>integrity</strong>: must be findings or clean', '<strong>sla</strong>: must be breached or met']) {
      expect(bad.text).toContain(expected);
    }
    expect(bad.text).toContain('value="yesterday"');
    // a day not on the calendar is not rolled over into the next month
    const notADay = await client.request('GET', '/review?from=2026-02-30');
    expect(notADay.status).toBe(400);
    expect(notADay.text).toContain('<strong>from</strong>: must be a date as YYYY-MM-DD');
    // the bad value stays in its field (as text: a date field would drop it), the error beside it
    expect(notADay.text).toMatch(/<input id="from" name="from" type="text" value="2026-02-30"[^>]*aria-describedby="from-error"[^>]*><span class="field-error" id="from-error">must be a date as YYYY-MM-DD<\/span>/);
    const reversed = await client.request('GET', '/review?from=2026-03-02&to=2026-03-01');
    expect(reversed.text).toContain('<strong>to</strong>: must not be before from');
    const badId = await client.request('GET', '/review/conversations/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.text).toContain('must be a Genesys conversation id (UUID)');
    const badVersion = await client.request('GET', `/review/conversations/${fixture.archived[0]}?version=0`);
    expect(badVersion.status).toBe(400);
    expect(badVersion.text).toContain('<strong>version</strong>: must be a whole number from 1');
    const missing = await client.request('GET', '/review/conversations/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('has not been archived');
  });

  it('shows the out-of-order warning on the planted conversation, with the participants and the verified hash', async () => {
    const page = await client.request('GET', `/review/conversations/${fixture.outOfOrderConversationId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Integrity warning:');
    expect(page.text).toMatch(/<strong>Out of order<\/strong>: message <a href="#msg-/);
    expect(page.text).toMatch(/class="message [^"]*flagged warn"/);
    expect(page.text).toContain('<span class="badge ok">verified</span>');
    expect(page.text).toMatch(/<ol class="states" aria-label="States of [^"]+">/);
  });

  it('renders hostile guest text as text, in the page and in the exports', async () => {
    const page = await client.request('GET', `/review/conversations/${fixture.hostileConversationId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).not.toMatch(/<img/i);
    expect(page.text).toContain('&lt;script&gt;window.__gcmPwned = true; document.title = &#39;pwned&#39;&lt;/script&gt;');
    expect(page.text).toContain('&lt;img src=x onerror=&quot;window.__gcmPwned = true&quot;&gt; &amp; &quot;quotes&quot; &#39;single&#39; &#96;tick&#96;');

    const md = await client.request('GET', `/review/conversations/${fixture.hostileConversationId}/export.md`);
    expect(md.status).toBe(200);
    expect(md.headers.get('content-disposition')).toBe(`attachment; filename="conversation-${fixture.hostileConversationId}-v1.md"`);
    expect(md.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    // Markdown-escaped, as every untrusted value of the export
    expect(md.text).toContain(`# Conversation ${fixture.hostileConversationId}\n`);
    expect(md.text).toContain('\\<script>');
    expect(md.text).not.toMatch(/(^|[^\\])<script>/);
    expect(md.text).toContain('## Findings');

    // a right-to-left override is shown as a visible escape: the text reads in logical order
    expect(page.text).toContain(BIDI_SHOWN);
    expect(md.text).toContain('abc\\u{202E}dcba'); // Markdown for abc\u{202E}dcba: a backslash before a letter is literal
    for (const shown of [page.text, md.text]) expect(shown).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);

    const json = await client.request('GET', `/review/conversations/${fixture.hostileConversationId}/export.json`);
    const document = JSON.parse(json.text) as { messages: Array<{ text?: string }>; contentHash: string };
    // the archived record keeps what was written, byte for byte (its hash covers it)
    expect(document.messages.map((m) => m.text)).toEqual(expect.arrayContaining([...HOSTILE_TEXTS, BIDI_TEXT]));
    expect(document.contentHash).toMatch(/^sha256:/);
  });

  it('never writes the key to logs or the audit trail; records logins and logouts', async () => {
    const logout = await client.request('POST', '/review/logout');
    expect(logout.status).toBe(303);
    expect(logout.headers.get('location')).toBe('/review/login');
    expect(logout.setCookie).toContain('Max-Age=0');
    expect(client.cookie).toBeUndefined();
    expect((await client.request('GET', '/review')).status).toBe(303);

    await fixture.api.app.get(MutationAuditRecorder).settled();
    const audit = await fixture.api.request('GET', '/v1/audit?actionPrefix=review.&limit=100', { key: fixture.api.keys.admin });
    expect(audit.status).toBe(200);
    const records = audit.json.items as Array<{ action: string; actor: string; outcome: string }>;
    expect(records.map((r) => [r.action, r.actor, r.outcome])).toEqual(
      expect.arrayContaining([
        ['review.login', 'anonymous', 'failure'],
        ['review.login', 'key:scraper', 'failure'],
        ['review.login', 'key:reader', 'success'],
        ['review.logout', 'key:reader', 'success'],
      ]),
    );
    const everything = JSON.stringify(records) + JSON.stringify(fixture.api.logs);
    for (const key of Object.values(fixture.api.keys)) expect(everything).not.toContain(key);
  });

  it('ends sessions server-side: a saved copy of the cookie fails after sign-out, and a key rotated out ends its sessions', async () => {
    const first = cookieClient(fixture.api.baseUrl);
    await first.request('POST', '/review/login', { form: { apiKey: fixture.api.keys.reader } });
    const saved = first.cookie as string;
    const copy = async (baseUrl = fixture.api.baseUrl) => fetch(`${baseUrl}/review`, { headers: { cookie: saved }, redirect: 'manual' });
    expect((await copy()).status).toBe(200);
    await first.request('POST', '/review/logout');
    const afterLogout = await copy();
    expect(afterLogout.status).toBe(401);
    expect(afterLogout.headers.get('set-cookie')).toContain('Max-Age=0');
    expect(await afterLogout.text()).toContain('Your session has ended');

    // a replica on the same database, deployed with the reader key removed from GCM_API_KEYS
    const second = cookieClient(fixture.api.baseUrl);
    await second.request('POST', '/review/login', { form: { apiKey: fixture.api.keys.reader } });
    const live = second.cookie as string;
    const withLive = (baseUrl: string) => fetch(`${baseUrl}/review`, { headers: { cookie: live }, redirect: 'manual' });
    expect((await withLive(fixture.api.baseUrl)).status).toBe(200);
    const rotated = await startApiHarness({
      reuseSandbox: fixture.api.sandbox,
      env: { GCM_DATABASE_URL: fixture.api.config.database.url, GCM_API_KEYS: `admin:admin:${hashApiKey(fixture.api.keys.admin)}` },
    });
    try {
      expect((await withLive(rotated.baseUrl)).status).toBe(401);
      // the session row is gone for every replica, the one that still has the key included
      expect((await withLive(fixture.api.baseUrl)).status).toBe(401);
      expect(rotated.logs).toContainEqual(expect.objectContaining({ msg: 'Review sessions ended', keysRotatedOut: 1 }));
    } finally {
      await rotated.close();
    }
  });
});
