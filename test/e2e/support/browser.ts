import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; `CHROMIUM_PATH` points elsewhere. Playwright's own browser download does not work here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the test run saves screenshots for review. */
export const SCREENSHOT_DIR = path.resolve('.cache/screenshots');

/**
 * Flags for Chromium on these machines: no sandbox (root), no GPU, and none of the background
 * traffic (updates, sync, QUIC) that a closed network refuses. Playwright adds `--headless` and a
 * fresh temporary profile (`--user-data-dir`) itself.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium, or fails with how to install it.
 *
 * @example
 * const browser = await launchChromium();
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** A page in a new browser context (its own cookies, storage and network), failing fast on waits. */
export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

/** Saves a full-page screenshot as `.cache/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Waits until the form field's value is exactly `value`. */
export async function waitForValue(page: Page, selector: string, value: string): Promise<void> {
  await page.waitForFunction(([sel, expected]) => (document.querySelector(sel) as HTMLInputElement | HTMLTextAreaElement | null)?.value === expected, [
    selector,
    value,
  ] as const);
}
