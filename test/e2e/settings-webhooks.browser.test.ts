/**
 * Settings → Webhooks in a real browser: "Send test event" to a real receiver shows the one-time
 * secret, the receiver gets a signed webhook.test that verifies with it, and the delivery appears
 * in the panel's list as delivered — with no console error.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, verifyWithSvix, type WebhookReceiver } from '../webhooks/webhook-receiver.js';
import { launchBrowser, newDesktopContext, screenshotAtBothWidths, watchPageErrors } from './support/browser.js';
import { startServedApp, type ServedApp } from './support/served-app.js';

describe('Settings webhook panel in Chromium', () => {
  let app: ServedApp;
  let browser: Browser;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    [app, browser] = await Promise.all([startServedApp({ IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE: 'true' }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await receiver?.close();
  });

  it('sends a test event and lists its delivery', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/settings');
    const panel = page.getByTestId('webhook-panel');
    await expect.poll(() => panel.textContent()).toContain('No webhook deliveries yet.');
    await panel.getByLabel('Test URL').fill(receiver.url);
    await panel.getByRole('button', { name: 'Send test event' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toContain('signing secret (shown once)');
    const secret = (await panel.locator('code').textContent()) ?? '';
    await receiver.waitFor((received) => received.length === 1, 10_000, 'the test event');
    expect(() => verifyWithSvix(receiver.received[0]!, secret)).not.toThrow();
    await expect.poll(() => panel.getByTestId('webhook-deliveries').textContent(), { timeout: 10_000 }).toContain('delivered');
    expect(await panel.getByTestId('webhook-deliveries').textContent()).toContain('webhook.test');
    await screenshotAtBothWidths(page, 'settings-webhooks');
    expect(errors).toEqual([]);
    await context.close();
  });
});
