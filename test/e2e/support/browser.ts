/**
 * Browser tests drive Debian's Chromium through playwright-core (never a downloaded browser):
 * headless, with the flags that make it run in a container and stay off the network.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../support/cli-process.js';

/** Where Chromium lives; `.ci/run` installs Debian's `chromium` package when it is missing. */
export const chromiumPath = process.env.IMAGEFLEET_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of every page go here (ignored by git), one PNG per page and width. */
export const screenshotDirectory = path.join(projectRoot, 'test-output', 'screenshots');

export const viewports = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/** A fresh context (own cookies and storage) at desktop size, with downloads allowed. */
export async function newDesktopContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl, viewport: viewports.desktop, acceptDownloads: true });
}

/**
 * Collects what a page logs as an error (console.error, uncaught exceptions, failed requests the
 * page made itself). Tests assert the list is empty at the end.
 */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()} (${page.url()})`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message} (${page.url()})`));
  // Chromium's "Failed to load resource" line does not name the resource; this does.
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} for ${response.request().method()} ${response.url()}`);
  });
  return errors;
}

/** Saves a full-page screenshot at desktop and phone widths as `<name>-desktop.png` and `<name>-phone.png`. */
export async function screenshotAtBothWidths(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDirectory, { recursive: true });
  const original = page.viewportSize();
  for (const [label, size] of Object.entries(viewports)) {
    await page.setViewportSize(size);
    // Let layout settle after the resize (media queries, virtualised grids measuring themselves).
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: path.join(screenshotDirectory, `${name}-${label}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
