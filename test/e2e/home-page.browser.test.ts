/**
 * The web shell in a real browser: the home page of a fresh `imagefleet serve` renders its live
 * status without a console error, at desktop and phone widths, and axe-core finds no serious or
 * critical violation on any page.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSeriousViolations } from './support/accessibility.js';
import { launchBrowser, newDesktopContext, screenshotAtBothWidths, viewports, watchPageErrors } from './support/browser.js';
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

  it('has no serious or critical WCAG A/AA violation on any page of a fresh install, desktop and phone', async () => {
    for (const viewport of [viewports.desktop, viewports.phone]) {
      const context = await browser.newContext({ baseURL: app.baseUrl, viewport });
      const page = await context.newPage();
      const errors = watchPageErrors(page);
      for (const path of ['/', '/studio', '/automatic', '/queue', '/groups', '/settings', '/api/docs']) {
        await page.goto(path);
        await page.locator('main, h1').first().waitFor();
        await expectNoSeriousViolations(page, `${path} at ${viewport.width} px`);
      }
      expect(errors).toEqual([]);
      await context.close();
    }
  }, 120_000);
});
