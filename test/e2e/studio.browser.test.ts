/**
 * The studio in Chromium against a real `imagefleet serve` with the seed-exact local provider,
 * slowed down so placeholders can be seen: a group, two references with two prompts each, sets of
 * 4 from a given seed; the arithmetic, progress placeholders, incremental seeds, regenerate with a
 * seed (same bytes, draft kept), typing on a card doing nothing, favourite, compare, and a ZIP of a
 * selection. No console errors.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newDesktopContext, screenshotAtBothWidths, watchPageErrors } from './support/browser.js';
import { startServedApp, type ServedApp } from './support/served-app.js';
import { createGroup, fillPrompts, getBytes, getJson, writeReferencePng, type TaskListBody } from './support/studio-page.js';
import { zipEntryNames } from './support/zip-entries.js';

const pollOptions = { timeout: 60_000, interval: 200 };

describe('studio in Chromium', () => {
  let app: ServedApp;
  let browser: Browser;

  beforeAll(async () => {
    // Slow calls (no timed assertions rest on this) so the per-image placeholders are on screen a while.
    [app, browser] = await Promise.all([startServedApp({ IMAGEFLEET_LOCAL_LATENCY_MS: '2500', IMAGEFLEET_LOCAL_CONCURRENCY: '2' }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function submittedJobId(page: Page, click: () => Promise<void>): Promise<string> {
    const [response] = await Promise.all([page.waitForResponse((candidate) => candidate.url().endsWith('/api/jobs/submit') && candidate.request().method() === 'POST'), click()]);
    expect(response.status()).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  it('generates seeded sets from two references with two prompts each, then regenerates, favourites, compares and downloads', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/studio');
    await expect.poll(() => page.getByTestId('provider-select').inputValue(), pollOptions).toBe('local');

    await createGroup(page, 'Spring test');
    const [shoe, bag] = await Promise.all([writeReferencePng(app.workDir, 'shoe.png', 20), writeReferencePng(app.workDir, 'bag.png', 200)]);
    await page.getByTestId('reference-file-input').setInputFiles([shoe, bag]);
    await expect.poll(() => page.getByTestId('reference-block').count(), pollOptions).toBe(2);
    await fillPrompts(page, 0, [
      { text: 'on a marble table, warm light', count: 8 },
      { text: 'black and white studio shot', count: 2 },
    ]);
    await fillPrompts(page, 1, [
      { text: 'mirror, vivid colours', count: 4 },
      { text: 'close-up detail', count: 1 },
    ]);
    await page.getByTestId('size-select').selectOption('512');
    await page.getByTestId('batch-size-4').click();

    // Invalid seeds say why and block Generate.
    const seed = page.getByTestId('seed-input');
    const generate = page.getByTestId('generate');
    for (const [text, reason] of [
      ['-1', 'cannot be negative'],
      ['4294967296', 'Too large'],
      ['1.5', 'whole number (no decimals)'],
      ['abc', 'is not a number'],
    ] as const) {
      await seed.fill(text);
      await expect.poll(() => page.getByTestId('seed-help').textContent()).toContain(reason);
      expect(await generate.isDisabled()).toBe(true);
      expect(await page.getByTestId('generate-blocked').textContent()).toContain('Fix the seed first');
    }
    await seed.fill('1000');

    // The arithmetic per prompt and in total, with the seeds each prompt will take, and the server's estimate.
    const arithmetic = page.getByTestId('prompt-arithmetic');
    await expect.poll(() => arithmetic.allTextContents()).toEqual([
      '8 images = 2 sets of 4 · seeds 1000–1007',
      '2 images = 1 set of 2 · seeds 1008–1009',
      '4 images = 1 set of 4 · seeds 1010–1013',
      '1 image = 1 set of 1 · seeds 1014',
    ]);
    expect(await page.getByTestId('plan-total').textContent()).toBe('4 prompts · 15 images = 5 sets of up to 4');
    await expect.poll(() => page.getByTestId('plan-estimate').textContent(), pollOptions).toMatch(/^5 calls · free · about /);
    expect(await generate.isEnabled()).toBe(true);

    const jobId = await submittedJobId(page, () => generate.click());

    // Placeholders with progress while the calls run.
    await expect.poll(() => page.getByTestId('image-placeholder').count(), pollOptions).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('feed-run-generating').count(), pollOptions).toBeGreaterThan(0);
    await expect
      .poll(async () => (await page.locator('[data-testid="image-placeholder"][data-status="running"] [data-testid="placeholder-percent"]').allTextContents()).some((text) => /^[1-9]\d*%$/.test(text)), pollOptions)
      .toBe(true);
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(15);
    expect(await page.getByTestId('image-placeholder').count()).toBe(0);
    // A notification says the whole batch is done.
    await expect.poll(() => page.getByText(/^Batch done: 15 images · /).count(), pollOptions).toBeGreaterThan(0);
    expect(await page.getByTestId('feed-run').count()).toBe(4);
    expect((await page.getByTestId('feed-set').evaluateAll((sets) => sets.map((set) => set.getAttribute('data-set-size')))).sort()).toEqual(['1', '2', '4', '4', '4']);

    // Seeds run on from 1000 across prompts: every image shows its own.
    const tasks = await getJson<TaskListBody>(page.request, `/api/jobs/${jobId}/tasks`);
    expect(tasks.items.map((task) => [task.prompt, task.setIndex, task.seed, task.imageCount])).toEqual([
      ['on a marble table, warm light', 0, 1000, 4],
      ['on a marble table, warm light', 1, 1004, 4],
      ['black and white studio shot', 0, 1008, 2],
      ['mirror, vivid colours', 0, 1010, 4],
      ['close-up detail', 0, 1014, 1],
    ]);
    const cardSeeds = await page.getByTestId('image-card').evaluateAll((cards) => cards.map((card) => Number(card.getAttribute('data-seed'))));
    expect(cardSeeds.sort((left, right) => left - right)).toEqual(Array.from({ length: 15 }, (_unused, index) => 1000 + index));

    // Regenerate with this seed: a new job from the image's own seed, prompt and reference — same pixels — while the composer keeps its 2×2 draft.
    const firstCard = page.locator('[data-testid="image-card"][data-seed="1000"]');
    const originalId = await firstCard.getAttribute('data-image-id');
    await firstCard.click({ button: 'right' });
    const [regenerateResponse] = await Promise.all([
      page.waitForResponse((candidate) => candidate.url().endsWith('/regenerate') && candidate.request().method() === 'POST'),
      page.getByTestId('image-context-menu').getByText('Regenerate with this seed').click(),
    ]);
    const regeneratedJobId = ((await regenerateResponse.json()) as { id: string }).id;
    await expect.poll(async () => (await getJson<TaskListBody>(page.request, `/api/jobs/${regeneratedJobId}/tasks`)).items[0]?.imageIds.length ?? 0, pollOptions).toBe(1);
    const regenerated = (await getJson<TaskListBody>(page.request, `/api/jobs/${regeneratedJobId}/tasks`)).items[0]!;
    expect(regenerated.seed).toBe(1000);
    const [originalBytes, regeneratedBytes] = await Promise.all([getBytes(page.request, `/api/images/${originalId}`), getBytes(page.request, `/api/images/${regenerated.imageIds[0]}`)]);
    // The files differ only in their provenance text chunks (job and task ids); the pixels are the same bytes.
    const [originalPixels, regeneratedPixels] = await Promise.all([originalBytes, regeneratedBytes].map((bytes) => sharp(bytes).raw().toBuffer()));
    expect(regeneratedPixels!.equals(originalPixels!)).toBe(true);
    expect(regeneratedBytes.equals(originalBytes)).toBe(false);
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(16);
    expect(await page.getByTestId('prompt-text').count()).toBe(4);

    // Typing on a focused card changes nothing; Alt+F favourites it.
    const favouriteCard = page.locator('[data-testid="image-card"][data-seed="1010"]');
    let jobRequests = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && /\/api\/(jobs\/submit|images\/[^/]+\/(regenerate|upscale))$/.test(new URL(request.url()).pathname)) jobRequests += 1;
    });
    await favouriteCard.focus();
    await page.keyboard.type('dress');
    await page.keyboard.press('Alt+KeyF');
    const favouriteId = await favouriteCard.getAttribute('data-image-id');
    await expect.poll(async () => (await getJson<{ favorite: boolean }>(page.request, `/api/images/${favouriteId}?format=json`)).favorite, pollOptions).toBe(true);
    await expect.poll(() => favouriteCard.getAttribute('data-favorite'), pollOptions).toBe('true');
    expect((await getJson<{ discarded: boolean }>(page.request, `/api/images/${favouriteId}?format=json`)).discarded).toBe(false);
    expect(await seed.inputValue()).toBe('1000');
    expect(await page.getByTestId('prompt-text').count()).toBe(4);
    expect(await page.getByTestId('image-card').count()).toBe(16);
    expect(jobRequests).toBe(0);

    // Discard hides an image (Alt+D); "Show discarded" brings it back to view, and Restore undoes it.
    const discardCard = page.locator('[data-testid="image-card"][data-seed="1013"]');
    const discardId = await discardCard.getAttribute('data-image-id');
    await discardCard.focus();
    await page.keyboard.press('Alt+KeyD');
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(15);
    const mirrorRun = page.locator('[data-testid="feed-run"][data-prompt="mirror, vivid colours"]');
    await mirrorRun.getByRole('button', { name: 'Show discarded (1)' }).click();
    await discardCard.click({ button: 'right' });
    await page.getByTestId('image-context-menu').getByText('Restore').click();
    await expect.poll(async () => (await getJson<{ discarded: boolean }>(page.request, `/api/images/${discardId}?format=json`)).discarded, pollOptions).toBe(false);
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(16);

    // Compare two selected images: zooming one pane zooms both.
    for (const cardSeed of [1011, 1012]) {
      const card = page.locator(`[data-testid="image-card"][data-seed="${cardSeed}"]`);
      await card.hover();
      await card.getByTestId('select-image').check();
    }
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('2 selected');
    await page.getByTestId('compare').click();
    await expect.poll(() => page.getByTestId('compare-pane').count()).toBe(2);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    const box = await page.getByTestId('compare-pane').first().locator('div').first().boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 25, { steps: 4 });
      await page.mouse.up();
    }
    const transforms = await page.getByTestId('compare-image').evaluateAll((images) => images.map((image) => (image as HTMLElement).style.transform));
    expect(transforms[0]).toContain('scale(2.25)');
    expect(transforms[0]).not.toContain('translate(0px, 0px)');
    expect(new Set(transforms).size).toBe(1);
    expect(await page.getByTestId('compare-zoom').textContent()).toBe('225%');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('compare-view').count()).toBe(0);

    // Bulk: add the whole "black and white" prompt (2 images) to the selection and download a ZIP of the 4.
    await page.locator('[data-testid="feed-run"][data-prompt="black and white studio shot"]').getByTestId('select-run').click();
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('4 selected');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
    const zipPath = path.join(app.workDir, 'selection.zip');
    await download.saveAs(zipPath);
    const entries = await zipEntryNames(zipPath);
    expect(entries.filter((name) => name.endsWith('.png'))).toHaveLength(4);
    expect(entries).toContain('manifest.csv');
    expect(entries.some((name) => name.startsWith('black and white studio shot/'))).toBe(true);

    await page.getByRole('button', { name: 'Clear' }).click();

    // Variations: a new set of 4 from one image, with the upscale sizes the model offers above 512 in the same menu.
    await page.locator('[data-testid="image-card"][data-seed="1014"]').click({ button: 'right' });
    const menu = page.getByTestId('image-context-menu');
    expect(await menu.getByText(/^Upscale to /).allTextContents()).toEqual(['Upscale to 1K', 'Upscale to 2K', 'Upscale to 4K']);
    await menu.getByText('Variations (set of 4)').click();
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(20);
    expect(await page.locator('[data-testid="feed-set"][data-set-size="4"]').count()).toBe(4);

    // Cancel one set while it waits or runs: it ends canceled, the other sets complete.
    await page.getByRole('button', { name: 'Remove reference 2' }).click();
    await page.getByRole('button', { name: 'Remove prompt 2 of reference 1' }).click();
    await page.getByTestId('seed-input').fill('');
    await page.getByTestId('prompt-count').fill('3');
    await page.getByTestId('batch-size-1').click();
    const cancelJobId = await submittedJobId(page, () => generate.click());
    await expect.poll(() => page.getByTestId('cancel-set').count(), pollOptions).toBeGreaterThan(0);
    await page.getByTestId('cancel-set').first().click();
    await expect.poll(() => page.locator('[data-testid="image-placeholder"][data-status="canceled"]').count(), pollOptions).toBe(1);
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(22);
    const canceledTasks = await getJson<TaskListBody>(page.request, `/api/jobs/${cancelJobId}/tasks`);
    expect(canceledTasks.items.map((task) => task.status).sort()).toEqual(['canceled', 'completed', 'completed']);

    await page.evaluate(() => {
      window.scrollTo(0, 0);
      document.querySelector('aside')?.scrollTo(0, 0);
    });
    await screenshotAtBothWidths(page, 'studio');
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});
