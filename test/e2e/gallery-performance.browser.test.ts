/**
 * A gallery of 10,000 images stays light: scrolled through in steps, it never holds 500 `img`
 * elements, and no single task blocks the page for a second (PerformanceObserver 'longtask',
 * installed before the page's own scripts) — rendering every tile would. Frame-time goals (p95,
 * 100 ms long tasks) are timings, which these shared machines make noisy, so they belong to the
 * benchmarks, not here. The viewer fetches the images beside the open one before they are asked
 * for. Also: a 1,000-image selection by filter downloads through a posted form,
 * since its ids do not fit in a link.
 */
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newDesktopContext, screenshotAtBothWidths, watchPageErrors } from './support/browser.js';
import { seedGallery, type SeededGallery } from './support/seed-gallery.js';
import { startServedApp, type ServedApp } from './support/served-app.js';
import { zipEntryNames } from './support/zip-entries.js';
import { makeTempDir } from '../support/temp-dir.js';

declare global {
  interface Window {
    longTaskDurationsMs: number[];
  }
}

describe('a 10,000-image gallery in Chromium', () => {
  let app: ServedApp;
  let browser: Browser;
  let seeded: SeededGallery;
  let seedDir: Awaited<ReturnType<typeof makeTempDir>>;

  beforeAll(async () => {
    seedDir = await makeTempDir('imagefleet-seed-');
    const dataDir = path.join(seedDir.directory, 'data');
    seeded = await seedGallery(dataDir, 10_000);
    [app, browser] = await Promise.all([startServedApp({}, { dataDir }), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await seedDir?.cleanup();
  });

  it('keeps fewer than 500 images in the DOM and never blocks the page for a second while scrolling', async () => {
    expect(seeded.imageCount).toBe(10_000);
    const context = await newDesktopContext(browser, app.baseUrl);
    await context.addInitScript(() => {
      window.longTaskDurationsMs = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.longTaskDurationsMs.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`/groups/${seeded.groupId}`);
    await expect.poll(() => page.getByTestId('image-tile').count(), { timeout: 20_000 }).toBeGreaterThan(20);
    await screenshotAtBothWidths(page, 'gallery-10000');
    // Only scrolling counts: first paint and hydration are not what this measures.
    await page.evaluate(() => (window.longTaskDurationsMs = []));

    const grid = page.getByTestId('image-grid');
    let mostImages = 0;
    let deepestTileIndex = 0;
    // One screenful per frame: a fast fling (about 40,000 px/s at 60 frames a second), through 2,000+ images.
    for (let step = 0; step < 110; step += 1) {
      await grid.evaluate((element) => element.scrollBy(0, element.clientHeight));
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      await page.waitForTimeout(60);
      const images = await page.locator('img').count();
      mostImages = Math.max(mostImages, images);
      deepestTileIndex = Math.max(deepestTileIndex, ...(await page.getByRole('button', { name: /^Open image \d+( from [^:]+)?:/ }).evaluateAll((buttons) => buttons.map((button) => Number(/\d+/.exec(button.getAttribute('aria-label') ?? '')?.[0] ?? 0)))));
    }
    const longTasksMs = await page.evaluate(() => window.longTaskDurationsMs);
    console.log('long tasks while scrolling (ms):', JSON.stringify(longTasksMs));
    expect(deepestTileIndex).toBeGreaterThan(2000);
    expect(mostImages).toBeGreaterThan(0);
    expect(mostImages).toBeLessThan(500);
    // Seen here: 50–130 ms at load 12 on 2 cores; a non-virtualised grid of 10,000 tiles takes seconds.
    expect(longTasksMs.filter((duration) => duration > 1000)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
    // 110 steps of two frames and 60 ms each: at load 30 on 2 cores this alone ran past the default 30 s.
  }, 120_000);

  it('recycles rows while scrolling: the tiles that left come back with other images, in document order, and focus, the context menu and the tile\'s buttons follow the image', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`/groups/${seeded.groupId}`);
    const tiles = page.getByTestId('image-tile');
    await expect.poll(() => tiles.count(), { timeout: 20_000 }).toBeGreaterThan(20);
    const grid = page.getByTestId('image-grid');
    const rowPx = await tiles.evaluateAll((elements) => elements[elements.length > 6 ? 6 : 0]!.getBoundingClientRect().top - elements[0]!.getBoundingClientRect().top);
    expect(rowPx).toBeGreaterThan(100);
    await grid.evaluate((element) => ((window as unknown as { firstTiles: WeakSet<Element> }).firstTiles = new WeakSet(element.querySelectorAll('[data-testid="image-tile"]'))));
    /** Each tile in document order: its index, whether it is one of the first page's tile elements, and whether its thumbnail is its own image's. */
    const tileStates = () =>
      tiles.evaluateAll((elements) =>
        elements.map((element) => ({
          index: Number(element.getAttribute('data-image-index')),
          reused: (window as unknown as { firstTiles: WeakSet<Element> }).firstTiles.has(element),
          ownThumbnail: element.querySelector('img')?.getAttribute('src') === `/api/images/${element.getAttribute('data-image-id')}/thumb`,
        })),
      );
    const inDocumentOrder = (states: Awaited<ReturnType<typeof tileStates>>) => states.map((state) => state.index).every((index, position, indexes) => position === 0 || indexes[position - 1]! < index);
    const scrollRows = async (rows: number) => {
      for (let step = 0; step < Math.abs(rows); step += 1) {
        await grid.evaluate((element, deltaPx) => element.scrollBy(0, deltaPx), Math.sign(rows) * rowPx);
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
        expect((await tileStates()).every((state) => state.ownThumbnail)).toBe(true);
      }
      // Once the scroll stops, the document order (tab order, screen readers) is the order on
      // screen, whichever way the rows were recycled.
      await expect.poll(async () => inDocumentOrder(await tileStates()), { timeout: 5_000 }).toBe(true);
    };
    await scrollRows(20);
    const down = await tileStates();
    expect(Math.min(...down.map((state) => state.index))).toBeGreaterThan(60);
    // No tile element was created: every one is a first-page tile showing another image.
    expect(down.every((state) => state.reused)).toBe(true);
    await scrollRows(-12);
    expect((await tileStates()).every((state) => state.reused)).toBe(true);

    // A focused tile whose row is recycled lets go of the focus instead of naming another image.
    const focusedTile = tiles.nth(8);
    const focusedId = await focusedTile.getAttribute('data-image-id');
    await focusedTile.locator('button').first().focus();
    await scrollRows(12);
    const focusedNow = await page.evaluate(() => document.activeElement?.closest('[data-testid="image-tile"]')?.getAttribute('data-image-id') ?? null);
    expect([null, focusedId]).toContain(focusedNow);

    // The grid's one context menu opens for the image the recycled tile now shows.
    const target = tiles.nth(14);
    const targetId = await target.getAttribute('data-image-id');
    await target.click({ button: 'right' });
    await page.getByTestId('image-context-menu').getByRole('menuitem', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.getByTestId('viewer-image').getAttribute('src'), { timeout: 10_000 }).toBe(`/api/images/${targetId}`);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('viewer-image').count(), { timeout: 5_000, message: 'the viewer closes' }).toBe(0);

    // A recycled tile's buttons act on the image it shows now (their handlers stay the same
    // functions from image to image and read the image shown): the star, the checkbox, the picture.
    const recycled = tiles.nth(15);
    const recycledId = await recycled.getAttribute('data-image-id');
    const recycledIndex = Number(await recycled.getAttribute('data-image-index'));
    expect(recycledIndex).toBeGreaterThan(60);
    const tileShowing = page.locator(`[data-testid="image-tile"][data-image-id="${recycledId}"]`);
    await tileShowing.getByRole('button', { name: 'Add to favourites' }).click();
    await expect.poll(() => tileShowing.getByRole('button', { name: 'Remove from favourites' }).getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true');
    await tileShowing.getByRole('checkbox', { name: `Select image ${recycledIndex + 1}`, exact: true }).click();
    await expect.poll(() => tileShowing.getAttribute('data-selected'), { timeout: 10_000 }).toBe('true');
    await expect.poll(() => page.locator('[data-testid="image-tile"][data-selected="true"]').count()).toBe(1);
    await tileShowing.getByRole('checkbox', { name: `Select image ${recycledIndex + 1}`, exact: true }).click();
    await expect.poll(() => page.locator('[data-testid="image-tile"][data-selected="true"]').count(), { timeout: 10_000 }).toBe(0);
    await tileShowing.getByRole('button', { name: new RegExp(`^Open image ${recycledIndex + 1}( from [^:]+)?:`) }).click();
    await expect.poll(() => page.getByTestId('viewer-image').getAttribute('src'), { timeout: 10_000 }).toBe(`/api/images/${recycledId}`);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('fetches the images beside the one in the viewer before → or ← asks for them', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const requestedPaths: string[] = [];
    page.on('request', (request) => requestedPaths.push(new URL(request.url()).pathname));
    await page.goto(`/groups/${seeded.groupId}`);
    const tiles = page.getByTestId('image-tile');
    await expect.poll(() => tiles.count(), { timeout: 20_000 }).toBeGreaterThan(4);
    const ids = await tiles.evaluateAll((elements) => elements.slice(0, 4).map((element) => element.getAttribute('data-image-id')));
    const viewerImage = page.getByTestId('viewer-image');
    await tiles.nth(1).locator('button').first().click();
    await expect.poll(() => viewerImage.getAttribute('src'), { timeout: 10_000 }).toBe(`/api/images/${ids[1]}`);
    // Two ahead and one back, without a key pressed.
    await expect.poll(() => requestedPaths, { timeout: 10_000 }).toEqual(expect.arrayContaining([`/api/images/${ids[2]}`, `/api/images/${ids[3]}`, `/api/images/${ids[0]}`]));
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => viewerImage.getAttribute('src'), { timeout: 10_000 }).toBe(`/api/images/${ids[2]}`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('selects 1,000 images by filter and downloads them through a posted form (too many ids for a link)', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`/groups/${seeded.groupId}`);
    await page.getByLabel('Prompt contains').fill('seeded picture 1');
    await expect.poll(() => page.getByTestId('image-tile').first().getAttribute('data-image-id'), { timeout: 10_000 }).toBeTruthy();
    await page.getByRole('button', { name: 'Select all' }).click();
    await expect.poll(() => page.getByTestId('selection-count').textContent(), { timeout: 20_000 }).toBe('1,000 selected');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('download-selection').click()]);
    const zipPath = path.join(seedDir.directory, 'selection.zip');
    await download.saveAs(zipPath);
    const names = await zipEntryNames(zipPath);
    expect(names.filter((name) => name.endsWith('.png'))).toHaveLength(1000);
    expect(names).toContain('manifest.csv');
    expect(errors).toEqual([]);
    await context.close();
  });
});
