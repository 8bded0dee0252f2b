/**
 * A server with an API token shows signed-out visitors only the sign-in form (no page that would
 * then fail its API calls); a wrong token is refused in words next to the field, the right one
 * opens the app with live updates; "Sign out" ends the session on the server (the old cookie,
 * replayed, is refused) and shows the form again.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newDesktopContext, screenshotAtBothWidths, watchPageErrors } from './support/browser.js';
import { startServedApp, type ServedApp } from './support/served-app.js';

const token = 'browser-test-token-0123456789abcdef';

describe('sign-in in Chromium', () => {
  let app: ServedApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startServedApp({ IMAGEFLEET_API_TOKEN: token }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('asks for the token, refuses a wrong one and opens the app with the right one', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/settings');
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to imagefleet' }).count()).toBe(1);
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    // Nothing of the server's state travels with the sign-in page (the overview renders the health report).
    const overview = await (await fetch(app.baseUrl)).text();
    expect(overview).toContain('Sign in to imagefleet');
    expect(overview).not.toContain('Engine running');
    expect(overview).not.toContain(app.dataDir);
    await screenshotAtBothWidths(page, 'sign-in');

    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#token-error').textContent()).toContain('IMAGEFLEET_API_TOKEN');

    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Settings' }).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('data-dir').textContent()).toBe(app.dataDir);
    await expect.poll(() => page.getByText('Live updates on').count()).toBeGreaterThan(0);
    // Only the refused sign-in is an error answer (Chromium logs every 4xx twice: the response and a console line).
    const refusedSignIn = (error: string) => (error.startsWith('HTTP 401 for POST') ? error.endsWith('/api/session') : error.includes('status of 401'));
    expect(errors.filter((error) => !refusedSignIn(error))).toEqual([]);
    expect(errors.filter(refusedSignIn).length).toBeGreaterThan(0);

    const [sessionCookie] = (await context.cookies()).filter((cookie) => cookie.name === 'imagefleet_session');
    expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const withOldCookie = () => fetch(`${app.baseUrl}/api/queue`, { headers: { cookie: `imagefleet_session=${sessionCookie!.value}` } });
    expect((await withOldCookie()).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to imagefleet' }).count(), { timeout: 15_000 }).toBe(1);
    expect((await context.cookies()).filter((cookie) => cookie.name === 'imagefleet_session')).toEqual([]);
    expect((await withOldCookie()).status).toBe(401);
    await context.close();
  });
});
