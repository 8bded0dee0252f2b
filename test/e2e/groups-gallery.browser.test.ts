/**
 * Groups, the gallery, the viewer, the queue and settings in Chromium against the real server:
 * create a group, multi-select (checkbox, shift-click range) and download the selection as a ZIP,
 * walk the viewer with the keyboard (→ moves, F marks the favourite — checked through the API —,
 * Esc closes), control a paused job from the queue, and read the providers on the settings page.
 * Every page is screenshotted at both widths, and no page logs an error.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiJson, completedLocalJob } from './support/api-calls.js';
import { launchBrowser, newDesktopContext, screenshotAtBothWidths, watchPageErrors } from './support/browser.js';
import { startServedApp, type ServedApp } from './support/served-app.js';
import { zipEntryNames } from './support/zip-entries.js';
import Database from 'better-sqlite3';
import { createLearnedRate, onRateLimited, onRequestStarted, type LearnedRateState } from '../../src/engine/learned-rate/learned-rate.js';

/** Twenty starts a second apart, then a 429: the controller's state once it learned a quota. */
function* learnedRateSteps(fromMs: number): Generator<(state: LearnedRateState) => LearnedRateState> {
  for (let index = 0; index < 20; index += 1) yield (state) => onRequestStarted(state, fromMs + index * 1_000);
  yield (state) => onRateLimited(state, { nowMs: fromMs + 20_000, startedAtMs: fromMs + 19_000, quotaDimension: 'requests-per-minute' });
}

interface ImageJson {
  id: string;
  favorite: boolean;
}

describe('groups, gallery, viewer, queue and settings in Chromium', () => {
  let app: ServedApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let gallery: { jobId: string; groupId: string };
  /** Everything logged except the one 409 the duplicate-name check provokes on purpose (Chromium logs every 4xx). */
  const unexpectedErrors = () => errors.filter((error) => !(error.includes('409') && error.includes('/groups')));

  beforeAll(async () => {
    [app, browser] = await Promise.all([startServedApp(), launchBrowser()]);
    gallery = await completedLocalJob(app.baseUrl, { count: 12, prompt: 'gold watch on marble', groupName: 'Watches' });
    context = await newDesktopContext(browser, app.baseUrl);
    page = await context.newPage();
    errors = watchPageErrors(page);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  it('creates a group and lists it with its counts', async () => {
    await page.goto('/groups');
    await page.getByLabel('New group name').fill('Spring catalogue');
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect.poll(() => page.getByTestId('group-card').filter({ hasText: 'Spring catalogue' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('group-card').filter({ hasText: 'Watches' }).textContent()).toContain('12 images');
    // A taken name is explained next to the field.
    await page.getByLabel('New group name').fill('spring CATALOGUE');
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect.poll(() => page.locator('#new-group-error').textContent()).toMatch(/\S/);
    await page.getByLabel('New group name').fill('');
    await screenshotAtBothWidths(page, 'groups');
    expect(unexpectedErrors()).toEqual([]);
  });

  it('selects a range in the gallery and downloads the selection as a ZIP', async () => {
    await page.goto(`/groups/${gallery.groupId}`);
    await expect.poll(() => page.getByTestId('image-tile').count()).toBe(12);
    await screenshotAtBothWidths(page, 'gallery');
    const checkbox = (index: number) => page.getByRole('checkbox', { name: `Select image ${index + 1}`, exact: true });
    await checkbox(0).click();
    await checkbox(3).click({ modifiers: ['Shift'] });
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('4 selected');
    // With a selection open, clicking a picture adds it too.
    await page.getByRole('button', { name: /^Open image 6( from [^:]+)?:/ }).click();
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('5 selected');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-selection').click()]);
    const zipPath = path.join(app.workDir, 'selection.zip');
    await download.saveAs(zipPath);
    const names = await zipEntryNames(zipPath);
    expect(names.filter((name) => name.endsWith('.png'))).toHaveLength(5);
    expect(names).toContain('manifest.csv');

    await page.getByRole('button', { name: 'Select all' }).click();
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('12 selected');
    expect(await page.getByTestId('download-selection').getAttribute('href')).toBe(`/api/download/${gallery.groupId}`);
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    expect(unexpectedErrors()).toEqual([]);
  });

  it('walks the viewer with the keyboard: → moves, F marks the favourite, Esc closes', async () => {
    await page.goto(`/groups/${gallery.groupId}`);
    await page.getByRole('button', { name: /^Open image 1( from [^:]+)?:/ }).click();
    const viewer = page.getByTestId('image-viewer');
    await expect.poll(() => viewer.getByRole('heading', { level: 2 }).textContent()).toContain('Image 1 of 12');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => viewer.getByRole('heading', { level: 2 }).textContent()).toContain('Image 2 of 12');
    const secondId = await page.getByTestId('image-tile').nth(1).getAttribute('data-image-id');
    await page.keyboard.press('f');
    await expect.poll(async () => (await apiJson<ImageJson>(app.baseUrl, `/api/images/${secondId}?format=json`)).favorite).toBe(true);
    await expect.poll(() => page.getByTestId('viewer-favorite').getAttribute('aria-pressed')).toBe('true');
    expect(await viewer.textContent()).toContain('local-transform');
    // Its reference shows as a thumbnail that loaded (the server's WebP of the upload).
    const referenceThumbnail = page.getByTestId('viewer-references').locator('img').first();
    await expect.poll(() => referenceThumbnail.evaluate((element) => (element as HTMLImageElement).complete && (element as HTMLImageElement).naturalWidth > 0)).toBe(true);
    await screenshotAtBothWidths(page, 'viewer');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => viewer.getByRole('heading', { level: 2 }).textContent()).toContain('Image 1 of 12');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('image-viewer').count()).toBe(0);
    // The favourites filter now shows the one marked.
    await page.getByRole('button', { name: 'Favourites', exact: true }).click();
    await expect.poll(() => page.getByTestId('image-tile').count()).toBe(1);
    expect(unexpectedErrors()).toEqual([]);
  });

  it('shows paused and waiting jobs in the queue and resumes one', async () => {
    const referenceIds = [(await apiJson<{ items: Array<{ referenceIds: string[] }> }>(app.baseUrl, `/api/jobs/${gallery.jobId}/results?limit=1`)).items[0]!.referenceIds[0]!];
    const submit = (name: string) => apiJson<{ id: string }>(app.baseUrl, '/api/jobs/submit', { json: { mode: 'automatic', provider: 'local', name, referenceIds, prompt: `${name} look`, variationsPerImage: 100, settings: { size: '512' } } });
    const first = await submit('first batch');
    await apiJson(app.baseUrl, `/api/jobs/${first.id}/pause`, { json: { reason: 'checking the first results' } });
    const second = await submit('second batch');
    await apiJson(app.baseUrl, `/api/jobs/${second.id}/pause`, { json: {} });
    await page.goto('/queue');
    await expect.poll(() => page.getByTestId('queue-entry').count()).toBe(2);
    await screenshotAtBothWidths(page, 'queue');
    await page.getByTestId('queue-entry').filter({ hasText: 'first batch' }).getByRole('button', { name: 'Resume' }).click();
    await expect.poll(async () => (await apiJson<{ status: string }>(app.baseUrl, `/api/jobs/${first.id}/status`)).status).not.toBe('paused');
    await page.getByRole('button', { name: 'Cancel second batch' }).click();
    await page.getByRole('button', { name: 'Cancel the job' }).click();
    await expect.poll(async () => (await apiJson<{ status: string }>(app.baseUrl, `/api/jobs/${second.id}/status`)).status).toBe('canceled');
    await expect.poll(() => page.getByTestId('queue-entry').filter({ hasText: 'second batch' }).count()).toBe(0);
    expect(unexpectedErrors()).toEqual([]);
  });

  it('shows each provider’s state, the data directory and the version on the settings page, and the overview', async () => {
    await page.goto('/settings');
    await expect.poll(() => page.getByTestId('data-dir').textContent()).toBe(app.dataDir);
    await expect.poll(() => page.getByTestId('provider-gemini').textContent()).toContain('GEMINI_API_KEY');
    expect(await page.getByTestId('provider-local').textContent()).toContain('ready');
    // A learned rate as the engine stores it (issue 18): any process of this data directory could
    // have written it; the page shows the pace and the estimated quota.
    const learned = [...learnedRateSteps(Date.now() - 30_000)].reduce((state, step) => step(state), createLearnedRate());
    const database = new Database(path.join(app.dataDir, 'imagefleet.db'));
    try {
      database.prepare('INSERT INTO learned_rates (limit_key, credential_fingerprint, state_json, updated_at_ms) VALUES (?, NULL, ?, ?)').run('local:local-transform', JSON.stringify(learned), Date.now());
    } finally {
      database.close();
    }
    await page.reload();
    await expect.poll(() => page.getByTestId('learned-rate').textContent()).toMatch(/^local:local-transform: \d+\/min, learned \(quota ≈ \d+\/min\)$/);
    await screenshotAtBothWidths(page, 'settings');
    await page.goto('/');
    await expect.poll(() => page.getByTestId('engine-status').textContent()).toContain('Engine running');
    await screenshotAtBothWidths(page, 'overview');
    expect(unexpectedErrors()).toEqual([]);
  });

  it('deletes a group in a dialog, moving its images to another group', async () => {
    const archive = await apiJson<{ id: string }>(app.baseUrl, '/api/groups', { json: { name: 'Archive' } });
    await page.goto('/groups');
    const watches = page.getByTestId('group-card').filter({ hasText: 'Watches' });
    await watches.getByRole('button', { name: 'Delete Watches' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain('12 images');
    await dialog.getByLabel('Group to move them to').selectOption(archive.id);
    await screenshotAtBothWidths(page, 'delete-group');
    await dialog.getByRole('button', { name: 'Delete group' }).click();
    await expect.poll(() => page.getByTestId('group-card').filter({ hasText: 'Watches' }).count()).toBe(0);
    expect(await apiJson<{ imageCount: number }>(app.baseUrl, `/api/groups/${archive.id}`)).toMatchObject({ imageCount: 12 });
    expect(unexpectedErrors()).toEqual([]);
  });
});
