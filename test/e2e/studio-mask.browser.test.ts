/**
 * Inpainting in the studio: a mask painted with the mouse over a reference limits the change to the
 * painted area. The local provider keeps masked-out pixels exactly, so outside the strokes the
 * result equals the reference and inside it differs. Then: settings and the feed survive a reload,
 * and references arrive by paste and from the earlier-uploads picker.
 */
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newDesktopContext, watchPageErrors } from './support/browser.js';
import { startServedApp, type ServedApp } from './support/served-app.js';
import { createGroup, fillPrompts, getBytes, getJson, paintMaskLeftPart, writeReferencePng, type TaskListBody } from './support/studio-page.js';

const pollOptions = { timeout: 60_000, interval: 200 };

/** Mean absolute difference per channel between two same-size RGB images inside a box (pixels). */
async function meanDifference(first: Buffer, second: Buffer, box: { left: number; top: number; width: number; height: number }): Promise<number> {
  const [a, b] = await Promise.all([first, second].map((bytes) => sharp(bytes).removeAlpha().extract(box).raw().toBuffer()));
  let total = 0;
  for (let index = 0; index < a!.length; index += 1) total += Math.abs(a![index]! - b![index]!);
  return total / a!.length;
}

describe('studio mask in Chromium', () => {
  let app: ServedApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startServedApp(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('changes only the painted area of the reference; remembers settings; takes pasted and earlier uploads', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/studio');
    await expect.poll(() => page.getByTestId('provider-select').inputValue(), pollOptions).toBe('local');
    await createGroup(page, 'Masks');
    const referencePath = await writeReferencePng(app.workDir, 'reference.png', 30, 512, 512);
    await page.getByTestId('reference-file-input').setInputFiles(referencePath);
    await expect.poll(() => page.getByTestId('reference-block').count(), pollOptions).toBe(1);
    await fillPrompts(page, 0, [{ text: 'black and white, inverted colours', count: 1 }]);
    await page.getByTestId('size-select').selectOption('512');
    await page.getByTestId('aspect-select').selectOption('1:1');
    await page.getByTestId('batch-size-1').click();

    // Paint the left half of the reference with a wide brush, in horizontal strokes.
    await paintMaskLeftPart(page, 0.45);
    const [maskUpload] = await Promise.all([page.waitForResponse((response) => response.url().endsWith('/api/uploads') && response.request().method() === 'POST'), page.getByTestId('mask-save').click()]);
    const mask = (await maskUpload.json()) as { id: string; width: number; height: number };
    expect([mask.width, mask.height]).toEqual([512, 512]);
    await expect.poll(() => page.getByTestId('mask-set').count()).toBe(1);

    const [submitted] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/api/jobs/submit') && response.request().method() === 'POST'),
      page.getByTestId('generate').click(),
    ]);
    const submitBody = submitted.request().postDataJSON() as { items: Array<{ maskId?: string }> };
    expect(submitBody.items[0]?.maskId).toBe(mask.id);
    const jobId = ((await submitted.json()) as { id: string }).id;
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(1);

    const tasks = await getJson<TaskListBody>(page.request, `/api/jobs/${jobId}/tasks`);
    const [resultBytes, referenceBytes, maskBytes] = await Promise.all([
      getBytes(page.request, `/api/images/${tasks.items[0]!.imageIds[0]}`),
      getBytes(page.request, (await getJson<{ items: Array<{ name: string; url: string }> }>(page.request, '/api/uploads')).items.find((item) => item.name === 'reference.png')!.url),
      getBytes(page.request, `/api/uploads/${mask.id}`),
    ]);
    // The mask is white where painted (left) and black elsewhere (right), at the reference's size.
    const maskPixels = await sharp(maskBytes).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(maskPixels.info).toMatchObject({ width: 512, height: 512 });
    expect(maskPixels.data[256 * 512 + 100]).toBe(255);
    expect(maskPixels.data[256 * 512 + 400]).toBe(0);

    const inside = await meanDifference(resultBytes, referenceBytes, { left: 40, top: 60, width: 150, height: 380 });
    const outside = await meanDifference(resultBytes, referenceBytes, { left: 300, top: 0, width: 212, height: 512 });
    expect(outside).toBeLessThan(1);
    expect(inside).toBeGreaterThan(10);

    // Regenerate with this seed brings the mask along, so the same seed repaints the same area.
    await page.getByTestId('image-card').first().click({ button: 'right' });
    const [again] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/regenerate') && response.request().method() === 'POST'),
      page.getByTestId('image-context-menu').getByText('Regenerate with this seed').click(),
    ]);
    const againJobId = ((await again.json()) as { id: string }).id;
    expect((await getJson<TaskListBody>(page.request, `/api/jobs/${againJobId}/tasks`)).items[0]?.maskId).toBe(mask.id);
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(2);

    // Settings and the feed are remembered across visits; references can also be pasted or picked from earlier uploads.
    await page.reload();
    await expect.poll(() => page.getByTestId('size-select').inputValue(), pollOptions).toBe('512');
    expect(await page.getByTestId('batch-size-1').getAttribute('aria-checked')).toBe('true');
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(2);
    // The composer kept its work across the reload: the reference with its mask.
    await expect.poll(() => page.getByTestId('reference-block').count(), pollOptions).toBe(1);
    expect(await page.getByTestId('mask-set').count()).toBe(1);
    await page.getByRole('button', { name: 'Remove reference 1' }).click();
    expect(await page.getByTestId('reference-block').count()).toBe(0);
    const pastedPng = (await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3366cc' } }).png().toBuffer()).toString('base64');
    await page.evaluate(async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
      await Promise.resolve();
    }, pastedPng);
    await expect.poll(() => page.getByTestId('reference-block').count(), pollOptions).toBe(1);
    await page.getByRole('button', { name: 'Earlier uploads…' }).click();
    const picker = page.getByTestId('upload-picker-grid');
    await expect.poll(() => picker.getByRole('button').count(), pollOptions).toBe(3);
    expect(await picker.getByRole('button').first().getAttribute('title')).toMatch(/^pasted\.png · 64×64$/);
    await picker.getByRole('button', { name: /^reference\.png/ }).click();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('reference-block').count(), pollOptions).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
