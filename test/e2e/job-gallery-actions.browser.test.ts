/**
 * The job page and the gallery do what the Studio's feed does (issue 15): a right-click on a tile
 * offers the viewer's actions; "use prompt / seed / all settings / as reference" from their viewer
 * or menu write into the Studio's draft of the image's group, with Undo and "Open in Studio"; on a
 * touch phone the job page's Select mode selects by tapping, favourites the selection and downloads
 * it as a ZIP; Vary (subtle) from the job page's viewer asks for variations of the picture itself;
 * the Studio feed filters by reference file name and by date. axe-core checks each new state; no
 * page logs an error.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSeriousViolations } from './support/accessibility.js';
import { apiJson, completedLocalJob } from './support/api-calls.js';
import { launchBrowser, newDesktopContext, viewports, watchPageErrors } from './support/browser.js';
import { startServedApp, type ServedApp } from './support/served-app.js';
import { zipEntryNames } from './support/zip-entries.js';

const pollOptions = { timeout: 60_000, interval: 200 };

interface ImageJson {
  id: string;
  favorite: boolean;
  seed: number | null;
  prompt: string;
}

const promptsOf = (page: Page) => page.getByTestId('prompt-text').evaluateAll((fields) => fields.map((field) => (field as HTMLTextAreaElement).value));

describe('job page and gallery actions in Chromium', () => {
  let app: ServedApp;
  let browser: Browser;
  let shirts: { jobId: string; groupId: string };

  beforeAll(async () => {
    [app, browser] = await Promise.all([startServedApp(), launchBrowser()]);
    shirts = await completedLocalJob(app.baseUrl, { count: 6, prompt: 'linen shirt on a hanger', groupName: 'Shirts' });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('right-click on a gallery or job tile offers the viewer’s actions; composer actions land in the Studio draft with Undo', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);

    // Gallery: the menu favourites without opening the viewer.
    await page.goto(`/groups/${shirts.groupId}`);
    await expect.poll(() => page.getByTestId('image-tile').count(), pollOptions).toBe(6);
    const firstTile = page.getByTestId('image-tile').first();
    const firstId = await firstTile.getAttribute('data-image-id');
    await firstTile.click({ button: 'right' });
    const menu = page.getByTestId('image-context-menu');
    await expect.poll(() => menu.count()).toBe(1);
    for (const entry of ['Open', 'Favourite', 'Use seed', 'Use prompt', 'Use all settings', 'Use as reference', 'Re-roll (new seed)', 'Variations (set of 4)', 'Select', 'Download']) {
      expect(await menu.getByRole('menuitem', { name: entry, exact: true }).count(), entry).toBe(1);
    }
    await expectNoSeriousViolations(page, 'the gallery tile context menu');
    await menu.getByRole('menuitem', { name: 'Favourite', exact: true }).click();
    await expect.poll(async () => (await apiJson<ImageJson>(app.baseUrl, `/api/images/${firstId}?format=json`)).favorite, pollOptions).toBe(true);
    expect(await page.getByTestId('image-viewer').count()).toBe(0);
    // One menu serves the whole grid: opened on another tile, it acts on that tile's image.
    const thirdTile = page.getByTestId('image-tile').nth(2);
    const thirdId = await thirdTile.getAttribute('data-image-id');
    expect(thirdId).not.toBe(firstId);
    await thirdTile.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.getByTestId('viewer-image').getAttribute('src'), pollOptions).toContain(thirdId);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('image-viewer').count(), pollOptions).toBe(0);

    // Gallery menu → Use prompt: the prompt is a row of the Studio's draft for this group.
    await firstTile.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Use prompt', exact: true }).click();
    await expectNoSeriousViolations(page, 'the gallery with the “Open in Studio” toast');
    await page.getByRole('button', { name: 'Open in Studio' }).click();
    await page.waitForURL(/\/studio$/);
    await expect.poll(() => promptsOf(page), pollOptions).toEqual(['linen shirt on a hanger']);
    expect(await page.getByTestId('group-select').inputValue()).toBe(shirts.groupId);
    // Its reference came along (the prompt sits beside the photo it was made from).
    expect(await page.getByTestId('reference-block').count()).toBe(1);

    // Job page viewer → Use seed, then Undo: the Studio's seed field is as it was.
    const image = (await apiJson<{ items: ImageJson[] }>(app.baseUrl, `/api/jobs/${shirts.jobId}/results?limit=1`)).items[0]!;
    expect(image.seed).not.toBeNull();
    await page.goto(`/jobs/${shirts.jobId}`);
    await page.getByRole('button', { name: /^Open image 1( from [^:]+)?:/ }).click();
    const viewer = page.getByTestId('image-viewer');
    await viewer.getByTestId('viewer-use-seed').click();
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.evaluate(() => JSON.parse(window.localStorage.getItem('imagefleet.studio.preferences.v1') ?? '{}') as { seedText?: string })).toMatchObject({ seedText: '' });
    // Vary (subtle) from the job page's viewer: 4 variations of the picture itself, at img2img strength 0.35 (the local model takes one).
    const [varied] = await Promise.all([page.waitForResponse((response) => response.url().endsWith('/regenerate')), viewer.getByTestId('viewer-vary-subtle').click()]);
    expect(varied.status()).toBe(201);
    expect(JSON.parse(varied.request().postData() ?? '{}')).toEqual({ count: 4, strength: 'subtle' });
    expect(((await varied.json()) as { variation: unknown }).variation).toMatchObject({ strength: 'subtle', from: 'image', denoise: 0.35 });
    await expect.poll(() => page.getByText('Made from the image at img2img strength 0.35.').count()).toBe(1);
    // …and use seed again, kept this time, with all settings: the Studio shows the seed and the job's size.
    await viewer.getByTestId('viewer-recall').click();
    await expectNoSeriousViolations(page, 'the job viewer with the composer actions');
    await page.getByRole('button', { name: 'Open in Studio' }).click();
    await page.waitForURL(/\/studio$/);
    await expect.poll(() => page.getByTestId('seed-input').inputValue(), pollOptions).toBe(String(image.seed));
    expect(await page.getByTestId('size-select').inputValue()).toBe('512');
    expect(await promptsOf(page)).toEqual(['linen shirt on a hanger']);

    // Job page menu → Use as reference: a second block in the same draft.
    await page.goto(`/jobs/${shirts.jobId}`);
    await page.getByTestId('image-tile').nth(1).click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Use as reference', exact: true }).click();
    await page.getByRole('button', { name: 'Open in Studio' }).click();
    await page.waitForURL(/\/studio$/);
    await expect.poll(() => page.getByTestId('reference-block').count(), pollOptions).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('on a touch phone the job page selects by tapping, favourites the selection and downloads it as a ZIP', async () => {
    const context = await browser.newContext({ baseURL: app.baseUrl, viewport: viewports.phone, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`/jobs/${shirts.jobId}`);
    await expect.poll(() => page.getByTestId('image-tile').count(), pollOptions).toBeGreaterThanOrEqual(4);
    await page.getByTestId('select-mode').tap();
    const tiles = page.getByTestId('image-tile');
    const ids = [await tiles.nth(2).getAttribute('data-image-id'), await tiles.nth(3).getAttribute('data-image-id')];
    for (const index of [2, 3]) {
      await tiles.nth(index).scrollIntoViewIfNeeded();
      await tiles.nth(index).getByRole('button', { name: /^Open image/ }).tap();
    }
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('2 selected');
    expect(await page.getByTestId('image-viewer').count()).toBe(0);
    expect(await tiles.nth(2).getAttribute('data-selected')).toBe('true');
    await expectNoSeriousViolations(page, 'the job page on a phone with a selection');

    await page.getByTestId('favourite-selection').tap();
    for (const id of ids) await expect.poll(async () => (await apiJson<ImageJson>(app.baseUrl, `/api/images/${id}?format=json`)).favorite, pollOptions).toBe(true);

    const href = await page.getByTestId('download-selection').getAttribute('href');
    expect(href).toBe(`/api/download/${shirts.groupId}?ids=${ids.join(',')}`);
    const zip = await page.request.get(href!);
    expect(zip.status()).toBe(200);
    const zipPath = path.join(app.workDir, 'job-selection.zip');
    await writeFile(zipPath, await zip.body());
    expect((await zipEntryNames(zipPath)).filter((name) => name.endsWith('.png'))).toHaveLength(2);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('filters the Studio feed by reference file name and by date', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/studio');
    await page.getByTestId('group-select').selectOption(shirts.groupId);
    // The group's Automatic job shows one run per source photo, and the first test's Vary (subtle) one more.
    const allRuns = 7;
    await expect.poll(() => page.getByTestId('feed-run').count(), pollOptions).toBe(allRuns);
    await page.getByTestId('feed-filter-reference').fill('ref-3');
    await expect.poll(() => page.getByTestId('feed-run').count()).toBe(1);
    expect(await page.getByTestId('feed-run').textContent()).toContain('ref-3.png');
    // The reference field is not the prompt: a word of the prompt matches no file name.
    await page.getByTestId('feed-filter-reference').fill('linen');
    await expect.poll(() => page.getByTestId('feed-run').count()).toBe(0);
    await page.getByTestId('feed-filter-clear').click();
    await expect.poll(() => page.getByTestId('feed-run').count()).toBe(allRuns);

    await page.getByTestId('feed-filter-period').selectOption('today');
    await expect.poll(() => page.getByTestId('feed-run').count()).toBe(allRuns);
    // Up to yesterday: the runs made today are hidden; from today: they are back.
    const [yesterday, today] = await page.evaluate(() => {
      const day = (offset: number) => {
        const date = new Date();
        date.setDate(date.getDate() + offset);
        return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
      };
      return [day(-1), day(0)];
    });
    await page.getByTestId('feed-filter-period').selectOption('range');
    await page.getByTestId('feed-filter-to').fill(yesterday);
    await expect.poll(() => page.getByTestId('feed-run').count()).toBe(0);
    await expectNoSeriousViolations(page, 'the Studio feed filtered between dates');
    await page.getByTestId('feed-filter-to').fill('');
    await page.getByTestId('feed-filter-from').fill(today);
    await expect.poll(() => page.getByTestId('feed-run').count()).toBe(allRuns);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
