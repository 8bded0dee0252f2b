/**
 * Helpers for the studio's browser tests: reference PNGs made with sharp, the composer driven the
 * way a person does it, and API reads through the page's own origin.
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { APIRequestContext, Page } from 'playwright-core';

/** A colourful PNG (a gradient with a disc), so transforms and masks change pixels visibly. */
export async function writeReferencePng(directory: string, name: string, hue: number, width = 512, height = 512): Promise<string> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},80%,55%)"/><stop offset="1" stop-color="hsl(${(hue + 140) % 360},80%,45%)"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 4}" fill="hsl(${(hue + 60) % 360},90%,60%)"/></svg>`;
  const filePath = path.join(directory, name);
  await writeFile(filePath, await sharp(Buffer.from(svg)).png().toBuffer());
  return filePath;
}

/** Creates a group from the composer's picker. */
export async function createGroup(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'New group' }).click();
  await page.getByTestId('new-group-name').fill(name);
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForFunction((groupName) => {
    const select = document.querySelector<HTMLSelectElement>('[data-testid="group-select"]');
    return select !== null && select.selectedOptions[0]?.textContent?.startsWith(groupName) === true;
  }, name);
}

/** Fills the prompts of the reference block at `blockIndex`, adding rows as needed. */
export async function fillPrompts(page: Page, blockIndex: number, prompts: Array<{ text: string; count: number }>): Promise<void> {
  const block = page.getByTestId('reference-block').nth(blockIndex);
  for (const [index, prompt] of prompts.entries()) {
    if (index > 0) await block.getByRole('button', { name: '+ Add prompt' }).click();
    const row = block.getByTestId('prompt-row').nth(index);
    await row.getByTestId('prompt-text').fill(prompt.text);
    await row.getByTestId('prompt-count').fill(String(prompt.count));
  }
}

/** Reads JSON from the API with the page's cookies. */
export async function getJson<T>(request: APIRequestContext, url: string): Promise<T> {
  const response = await request.get(url, { headers: { accept: 'application/json' } });
  if (!response.ok()) throw new Error(`GET ${url} answered ${response.status()}: ${await response.text()}`);
  return (await response.json()) as T;
}

export async function getBytes(request: APIRequestContext, url: string): Promise<Buffer> {
  const response = await request.get(url);
  if (!response.ok()) throw new Error(`GET ${url} answered ${response.status()}`);
  return response.body();
}


export interface TaskListBody {
  jobId: string;
  items: Array<{ id: string; status: string; prompt: string; promptId: string; setIndex: number; seed: number | null; imageCount: number; imageIds: string[]; maskId: string | null }>;
}

/**
 * Opens the mask editor of the (only) reference and paints its left part, from 3% to `rightEdge`
 * of the width, in wide horizontal strokes; the caller saves it.
 */
export async function paintMaskLeftPart(page: Page, rightEdge: number): Promise<void> {
  await page.getByRole('button', { name: 'Paint mask' }).click();
  const canvas = page.getByTestId('mask-canvas');
  await canvas.waitFor({ state: 'visible', timeout: 60_000 });
  await page.getByTestId('mask-brush-size').fill('60');
  const box = (await canvas.boundingBox())!;
  for (let row = 0.05; row <= 0.95; row += 0.08) {
    await page.mouse.move(box.x + box.width * 0.03, box.y + box.height * row);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * rightEdge, box.y + box.height * row, { steps: 8 });
    await page.mouse.up();
  }
}
