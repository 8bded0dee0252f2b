/**
 * Settings → Webhooks in a real browser: "Send test event" to a real receiver shows the one-time
 * secret, the receiver gets a signed webhook.test that verifies with it, and the delivery appears
 * in the panel's list as delivered — with no console error.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, typeOf, verifyWithSvix, type WebhookReceiver } from '../webhooks/webhook-receiver.js';
import { launchBrowser, newDesktopContext, screenshotAtBothWidths, watchPageErrors } from './support/browser.js';
import { startServedApp, type ServedApp } from './support/served-app.js';
import { createGroup, fillPrompts, writeReferencePng } from './support/studio-page.js';

describe('Webhooks in the web app (Chromium)', () => {
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

  it('Automatic: a job with a webhook URL shows its secret once and the receiver gets job.completed', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const picture = path.join(app.workDir, 'webhook-reference.png');
    await writeFile(picture, await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 200, g: 80, b: 20 } } }).png().toBuffer());
    await page.goto('/automatic');
    await page.getByTestId('file-input').setInputFiles([picture]);
    await expect.poll(() => page.getByTestId('upload-summary').textContent(), { timeout: 30_000 }).toContain('1 image ready');
    await page.getByLabel('Prompt').fill('a webhook test');
    await page.getByLabel('Size').selectOption('512');
    await page.getByLabel('Webhook URL (optional)').fill(receiver.url);
    await expect.poll(() => page.getByTestId('plan-images').textContent(), { timeout: 20_000 }).toBe('1');
    const before = receiver.received.length;
    await page.getByRole('button', { name: 'Generate 1 image' }).click();
    await expect.poll(() => page.getByTestId('webhook-secret').textContent(), { timeout: 20_000 }).toContain('whsec_');
    const secret = (await page.getByTestId('webhook-secret').locator('code').textContent()) ?? '';
    await receiver.waitFor((received) => received.slice(before).some((entry) => typeOf(entry) === 'job.completed'), 20_000, 'job.completed');
    const completed = receiver.received.slice(before).find((entry) => typeOf(entry) === 'job.completed')!;
    expect(() => verifyWithSvix(completed, secret)).not.toThrow();
    await page.getByTestId('webhook-secret').getByRole('link', { name: 'Open the job' }).click();
    await page.waitForURL(/\/jobs\/[^/]+$/, { timeout: 20_000 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Studio: the webhook URL is remembered with the settings, the secret shown once, and the receiver gets job.completed', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/studio');
    await createGroup(page, 'Webhook studio');
    await page.getByTestId('reference-file-input').setInputFiles([await writeReferencePng(app.workDir, 'studio-webhook.png', 90, 64, 64)]);
    await expect.poll(() => page.getByTestId('reference-block').count(), { timeout: 20_000 }).toBe(1);
    await fillPrompts(page, 0, [{ text: 'a studio webhook', count: 1 }]);
    await page.getByTestId('size-select').selectOption('512');
    await page.getByTestId('studio-webhook-url').fill(receiver.url);
    const before = receiver.received.length;
    const [submitted] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/api/jobs/submit') && response.request().method() === 'POST'),
      page.getByTestId('prompt-text').first().press('Control+Enter'),
    ]);
    expect(submitted.status()).toBe(201);
    const secret = (await page.getByTestId('studio-webhook-secret').locator('code').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await receiver.waitFor((received) => received.slice(before).some((entry) => typeOf(entry) === 'job.completed'), 20_000, 'job.completed');
    const completed = receiver.received.slice(before).find((entry) => typeOf(entry) === 'job.completed')!;
    expect(() => verifyWithSvix(completed, secret)).not.toThrow();
    await page.reload();
    await expect.poll(() => page.getByTestId('studio-webhook-url').inputValue(), { timeout: 20_000 }).toBe(receiver.url);
    expect(errors).toEqual([]);
    await context.close();
  });
});
