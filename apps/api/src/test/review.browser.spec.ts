import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserPlan, launchChromium } from './chromium';
import { HOSTILE_TEXTS, startReviewFixture, type ReviewFixture } from './review-fixture';

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
    chromium = await launchChromium();
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

  it('signs out: the cookie is gone and the pages ask for a key again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${fixture.api.baseUrl}/review/login`);
    await expect(context.cookies()).resolves.toEqual([]);
    await page.goto(`${fixture.api.baseUrl}/review/conversations/${fixture.hostileConversationId}`);
    expect(new URL(page.url()).pathname).toBe('/review/login');
    // the pages load nothing they are not allowed to (a CSP violation would be logged as an error)
    expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
