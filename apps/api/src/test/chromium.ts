import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (apt-get install chromium); GCM_CHROMIUM_PATH names another. */
export const CHROMIUM_PATH = process.env['GCM_CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Whether browser specs can run. In CI a missing browser is a failure (the spec says why),
 * elsewhere the specs are skipped with a warning naming the package to install.
 */
export function browserPlan(): { run: boolean; reason?: string } {
  if (existsSync(CHROMIUM_PATH)) return { run: true };
  const reason = `No Chromium at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install -y chromium) or set GCM_CHROMIUM_PATH.`;
  if (process.env['CI'] === 'true') throw new Error(reason);
  return { run: false, reason };
}

/** Headless Chromium as this machine's closed network needs it: no background connections (playwright gives it a fresh profile). */
export async function launchChromium(options: { args?: readonly string[] } = {}): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...(options.args ?? []),
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
