/**
 * Automatic mode end to end in Chromium against the real server: 50 distinct PNGs go up through
 * the page's file input (45 files and a ZIP of 5; a repeat is skipped, a renamed copy is recognised by the server), the plan summary comes from the dry run, the job is
 * submitted with the local provider, its page follows it to "completed" without a reload, and its
 * Download ZIP holds the 50 images and manifest.csv.
 */
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { launchBrowser, newDesktopContext, screenshotAtBothWidths, watchPageErrors } from './support/browser.js';
import { picture } from './support/seed-gallery.js';
import { startServedApp, type ServedApp } from './support/served-app.js';
import { zipEntryNames } from './support/zip-entries.js';

const imageCount = 50;
const zippedCount = 5;

describe('Automatic mode in Chromium', () => {
  let app: ServedApp;
  let browser: Browser;
  let files: string[];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startServedApp(), launchBrowser()]);
    const folder = path.join(app.workDir, 'references');
    await mkdir(folder, { recursive: true });
    files = [];
    // 45 single files and a ZIP of 5 more: both upload routes.
    for (let index = 0; index < imageCount - zippedCount; index += 1) {
      const file = path.join(folder, `product-${String(index).padStart(2, '0')}.png`);
      await writeFile(file, await picture(index, 40));
      files.push(file);
    }
    const zip = new ZipFile();
    for (let index = imageCount - zippedCount; index < imageCount; index += 1) zip.addBuffer(await picture(index, 40), `more/product-${index}.png`);
    zip.end();
    const zipPath = path.join(folder, 'more-products.zip');
    await pipeline(zip.outputStream, createWriteStream(zipPath));
    files.push(zipPath);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('uploads 50 images, submits with the local provider, follows the job live and downloads its ZIP', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/automatic');
    await expect.poll(() => page.getByTestId('provider-setup-hint').textContent()).toContain('GEMINI_API_KEY');

    await page.getByTestId('file-input').setInputFiles(files);
    await expect.poll(() => page.getByTestId('upload-summary').textContent(), { timeout: 60_000 }).toContain(`${files.length} of ${files.length} files uploaded · ${imageCount} images ready`);
    // The same files again: skipped in the page, nothing sent twice.
    await page.getByTestId('file-input').setInputFiles(files.slice(0, 3));
    await expect.poll(() => page.getByText('3 added twice, skipped').count()).toBe(1);
    // The same picture under another name: sent, and the server answers with the stored image.
    const copy = path.join(app.workDir, 'product-00-copy.png');
    await copyFile(files[0]!, copy);
    await page.getByTestId('file-input').setInputFiles([copy]);
    await expect.poll(() => page.getByText('1 already stored').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('upload-summary').textContent()).toContain(`${imageCount} images ready`);

    await page.getByLabel('Prompt').fill('warm vintage look');
    await page.getByLabel('Size').selectOption('512');
    await page.getByRole('combobox', { name: 'Group' }).selectOption('__new__');
    await page.getByLabel('New group name').fill('Catalogue 50');
    await expect.poll(() => page.getByTestId('plan-images').textContent(), { timeout: 20_000 }).toBe(String(imageCount));
    await screenshotAtBothWidths(page, 'automatic');

    let documentLoads = 0;
    await page.getByRole('button', { name: `Generate ${imageCount} images` }).click();
    await page.waitForURL(/\/jobs\/[^/]+$/, { timeout: 20_000 });
    page.on('load', () => (documentLoads += 1));
    await expect.poll(() => page.getByTestId('job-status').first().textContent(), { timeout: 90_000, interval: 250 }).toBe('completed');
    await expect.poll(() => page.getByTestId('job-progress').textContent()).toContain(`${imageCount} of ${imageCount} images done`);
    await expect.poll(() => page.getByTestId('image-tile').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(documentLoads).toBe(0);
    await screenshotAtBothWidths(page, 'job');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
    const zipPath = path.join(app.workDir, 'job.zip');
    await download.saveAs(zipPath);
    const names = await zipEntryNames(zipPath);
    expect(names.filter((name) => name.endsWith('.png'))).toHaveLength(imageCount);
    expect(names).toContain('manifest.csv');
    expect(names).toHaveLength(imageCount + 1);

    expect(errors).toEqual([]);
    await context.close();
  });
});
