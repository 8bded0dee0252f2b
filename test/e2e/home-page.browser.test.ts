/**
 * The web shell in a real browser: the home page of a fresh `imagefleet serve` renders its live
 * status without a console error, at desktop and phone widths.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newDesktopContext, screenshotAtBothWidths, watchPageErrors } from './support/browser.js';
import { startServedApp, type ServedApp } from './support/served-app.js';

describe('home page in Chromium', () => {
  let app: ServedApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startServedApp(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the engine and the local provider as ready, with no console error', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/');
    await expect.poll(() => page.getByTestId('engine-status').textContent()).toContain('Engine running');
    await expect.poll(() => page.getByText('Local (offline, not AI)').count()).toBeGreaterThan(0);
    await screenshotAtBothWidths(page, 'home');
    expect(errors).toEqual([]);
    await context.close();
  });
});
