import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserPlan, launchChromium } from './chromium';
import { hashApiKey } from '../app/auth/api-key';
import { startApiHarness } from './api-harness';
import { BIDI_SHOWN, BIDI_TEXT, HOSTILE_TEXTS, startReviewFixture, type ReviewFixture } from './review-fixture';

/** A name that is not localhost: the browser resolves it to 127.0.0.1 and treats it as any other HTTP site. */
const OTHER_HOST = 'gcm-review.test';

/** Screenshots a reviewer can look at after the run. */
export const SCREENSHOT_DIR = resolve(__dirname, '../../../../tmp/review-screenshots');

const plan = browserPlan();
if (!plan.run) console.warn(`review browser spec skipped: ${plan.reason}`);
const describeInBrowser = plan.run ? describe : describe.skip;
// a browser on a 2-core CI machine shared with other suites: page loads and full-page screenshots take seconds
jest.setTimeout(30_000);

describeInBrowser('transcript review pages in headless Chromium (playwright-core)', () => {
  let fixture: ReviewFixture;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    fixture = await startReviewFixture();
    chromium = await launchChromium({ args: [`--host-resolver-rules=MAP ${OTHER_HOST} 127.0.0.1`] });
    browser = chromium.browser;
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await chromium?.close();
    await fixture?.api.close();
  });

  it('logs in with the keyboard: the form is labelled, the key goes into an HttpOnly cookie', async () => {
    await page.goto(`${fixture.api.baseUrl}/review`);
    expect(new URL(page.url()).pathname).toBe('/review/login');
    const key = page.getByLabel('API key');
    await expect(key.getAttribute('type')).resolves.toBe('password');
    await key.focus();
    await page.keyboard.type(fixture.api.keys.reader);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${fixture.api.baseUrl}/review`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Archived conversations');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'gcm_review', httpOnly: true, sameSite: 'Strict', path: '/review', expires: -1 });
    // the page's own script context cannot read it (and there is no script anyway)
    await expect(page.evaluate('document.cookie')).resolves.toBe('');
  });

  it('shows queue names, not ids, and lets the reviewer filter by a queue\'s name', async () => {
    const catalog = fixture.api.sandbox.truth.catalog.queues;
    const cells = await page.locator('td[data-label="Queues"]').allTextContents();
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) {
      // every queue is named, one name per line: no UUID to wrap
      expect(cell).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
      expect(cell.trim() === '—' || catalog.some((q) => cell.includes(q.name))).toBe(true);
    }
    const named = page.locator('td[data-label="Queues"] .queue').first();
    await expect(page.evaluate(`getComputedStyle(document.querySelector('td[data-label="Queues"] .queue')).whiteSpace`)).resolves.toBe('nowrap');
    const queueName = (await named.textContent()) as string;
    await page.getByLabel('Queue', { exact: true }).selectOption({ label: queueName });
    await page.getByRole('button', { name: 'Search' }).click();
    const queueId = catalog.find((q) => q.name === queueName)?.id as string;
    await page.waitForURL(new RegExp(`queueId=${queueId}`));
    expect((await page.locator('td[data-label="Queues"]').allTextContents()).every((cell) => cell.includes(queueName))).toBe(true);
    await expect(page.getByLabel('Queue', { exact: true }).inputValue()).resolves.toBe(queueId);
  });

  it('keeps a bad date in its field after the 400, with the error beside it', async () => {
    const errorsBefore = consoleErrors.length;
    const response = await page.goto(`${fixture.api.baseUrl}/review?from=2026-02-30&to=2026-03-01`);
    expect(response?.status()).toBe(400);
    const from = page.getByLabel('Started from (UTC)');
    await expect(from.inputValue()).resolves.toBe('2026-02-30');
    await expect(from.getAttribute('aria-invalid')).resolves.toBe('true');
    // the error is announced with the field and shown right after it
    const describedBy = (await from.getAttribute('aria-describedby')) as string;
    await expect(page.locator(`#${describedBy}`).textContent()).resolves.toBe('must be a date as YYYY-MM-DD');
    await expect(from.evaluate((el) => el.nextElementSibling?.id)).resolves.toBe(describedBy);
    // the valid date keeps its date field
    await expect(page.getByLabel('Started on or before (UTC)').inputValue()).resolves.toBe('2026-03-01');
    await expect(page.getByLabel('Started on or before (UTC)').getAttribute('type')).resolves.toBe('date');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'list-bad-date.png') });
    await page.goto(`${fixture.api.baseUrl}/review`);
    // the browser logs the 400 itself; nothing else was logged
    expect(consoleErrors.splice(errorsBefore).filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  it('searches: the integrity filter lists the planted out-of-order conversation, every field has a label', async () => {
    for (const field of await page.locator('form[role=search] input, form[role=search] select').all()) {
      const id = await field.getAttribute('id');
      expect(await page.locator(`label[for="${id}"]`).count()).toBe(1);
    }
    await page.getByLabel('Integrity').selectOption('findings');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/integrity=findings/);
    const link = page.getByRole('link', { name: fixture.outOfOrderConversationId });
    await expect(link.count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: fixture.hostileConversationId }).count()).resolves.toBe(0);
    await link.click();
    await page.waitForURL(`${fixture.api.baseUrl}/review/conversations/${fixture.outOfOrderConversationId}`);
  });

  it('opens the transcript: out-of-order warning, flagged messages, participant strip; a screenshot for the reviewer', async () => {
    const warning = page.getByRole('alert').filter({ hasText: 'Integrity warning' });
    await expect(warning.count()).resolves.toBe(1);
    await expect(warning.textContent()).resolves.toMatch(/out-of-order pair/);
    expect(await page.locator('li.message.flagged').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.participants > li').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('ol.transcript > li.message').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'transcript.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'transcript-phone.png'), fullPage: true });
    // nothing wider than a phone screen: no horizontal scrolling of the page
    await expect(page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).resolves.toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('exports Markdown through the browser download', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export Markdown' }).click()]);
    expect(download.suggestedFilename()).toBe(`conversation-${fixture.outOfOrderConversationId}-v1.md`);
    const path = join(SCREENSHOT_DIR, download.suggestedFilename());
    await download.saveAs(path);
    const markdown = readFileSync(path, 'utf8');
    expect(markdown).toMatch(/^# Conversation /);
    expect(markdown).toContain('## Messages');
    expect(markdown).toMatch(/## Findings\n\n- Out of order: /);
  });

  it('shows a guest message containing <script> as text, and runs nothing', async () => {
    await page.goto(`${fixture.api.baseUrl}/review/conversations/${fixture.hostileConversationId}`);
    const texts = await page.locator('li.message p.text').allTextContents();
    expect(texts).toEqual(expect.arrayContaining(HOSTILE_TEXTS));
    await expect(page.evaluate('typeof window.__gcmPwned')).resolves.toBe('undefined');
    await expect(page.title()).resolves.toBe(`Conversation ${fixture.hostileConversationId} · gcm review`);
    await expect(page.locator('main script, main img').count()).resolves.toBe(0);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'hostile-guest-message.png'), fullPage: true });
  });

  it('shows a bidi-override guest message in logical order, in the page and in the Markdown export', async () => {
    await page.goto(`${fixture.api.baseUrl}/review/conversations/${fixture.hostileConversationId}`);
    const text = page.locator('li.message p.text').filter({ hasText: 'dcba' });
    await expect(text.count()).resolves.toBe(1);
    // what the reviewer sees, character by character: the override is a visible escape, not an instruction
    await expect(text.innerText()).resolves.toBe(BIDI_SHOWN);
    await expect(text.innerText()).resolves.not.toBe(BIDI_TEXT);
    // the rendered line reads left to right: "abc" is drawn before "dcba"
    // the page's own layout (minimal DOM shapes: the spec is compiled without the DOM library)
    type TextNode = { textContent: string };
    type Range = { setStart(node: TextNode, offset: number): void; setEnd(node: TextNode, offset: number): void; getBoundingClientRect(): { left: number } };
    const order = await text.evaluate((element) => {
      const host = element as unknown as { firstChild: TextNode; ownerDocument: { createRange(): Range } };
      const at = (needle: string) => {
        const range = host.ownerDocument.createRange();
        const start = host.firstChild.textContent.indexOf(needle);
        range.setStart(host.firstChild, start);
        range.setEnd(host.firstChild, start + needle.length);
        return range.getBoundingClientRect().left;
      };
      return { abc: at('abc'), dcba: at('dcba') };
    });
    expect(order.abc).toBeLessThan(order.dcba);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export Markdown' }).click()]);
    const path = join(SCREENSHOT_DIR, download.suggestedFilename());
    await download.saveAs(path);
    const markdown = readFileSync(path, 'utf8');
    expect(markdown).toContain('abc\\u{202E}dcba');
    expect(markdown).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });

  it('signs out: the cookie is gone and the pages ask for a key again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${fixture.api.baseUrl}/review/login`);
    await expect(context.cookies()).resolves.toEqual([]);
    await page.goto(`${fixture.api.baseUrl}/review/conversations/${fixture.hostileConversationId}`);
    expect(new URL(page.url()).pathname).toBe('/review/login');
    // the pages load nothing they are not allowed to (a CSP violation would be logged as an error)
    expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });

  async function signIn(baseUrl: string, key: string): Promise<void> {
    await page.goto(`${baseUrl}/review/login`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${baseUrl}/review`);
  }

  it('after sign-out, a saved copy of the old session cookie gets 401', async () => {
    await signIn(fixture.api.baseUrl, fixture.api.keys.reader);
    const saved = await context.cookies();
    expect(saved).toEqual([expect.objectContaining({ name: 'gcm_review', value: expect.stringMatching(/^rs_/) })]);
    expect(saved[0]?.value).not.toContain(fixture.api.keys.reader);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${fixture.api.baseUrl}/review/login`);
    await context.addCookies(saved);
    const response = await page.goto(`${fixture.api.baseUrl}/review`);
    expect(response?.status()).toBe(401);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Your session has ended');
    await expect(context.cookies()).resolves.toEqual([]);
  });

  it('after a key is removed from GCM_API_KEYS, its sessions end on every replica', async () => {
    await signIn(fixture.api.baseUrl, fixture.api.keys.reader);
    // a replica on the same database, deployed without the reader key (cookies do not depend on the port)
    const withoutReader = () =>
      startApiHarness({
        reuseSandbox: fixture.api.sandbox,
        env: { GCM_DATABASE_URL: fixture.api.config.database.url, GCM_API_KEYS: `admin:admin:${hashApiKey(fixture.api.keys.admin)}` },
      });
    const rotated = await withoutReader();
    try {
      const onRotated = await page.goto(`${rotated.baseUrl}/review`);
      expect(onRotated?.status()).toBe(401);
    } finally {
      await rotated.close();
    }
    // a replica that starts without the key ends its sessions at once: the original API, which still has the key, finds none
    await signIn(fixture.api.baseUrl, fixture.api.keys.reader);
    const restarted = await withoutReader();
    try {
      const onOriginal = await page.goto(`${fixture.api.baseUrl}/review`);
      expect(onOriginal?.status()).toBe(401);
    } finally {
      await restarted.close();
    }
  }, 60_000);

  it('renders /docs when the API is reached by a host name other than localhost over plain HTTP', async () => {
    const url = `http://${OTHER_HOST}:${new URL(fixture.api.baseUrl).port}/docs`;
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).not.toContain('upgrade-insecure-requests');
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 });
    await expect(page.locator('.swagger-ui .info .title').textContent()).resolves.toContain('gcm API');
    await expect(page.locator('.opblock').count()).resolves.toBeGreaterThan(5);
    expect(failed.filter((u) => u.startsWith('https:'))).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'docs-other-host.png') });
  });
});
