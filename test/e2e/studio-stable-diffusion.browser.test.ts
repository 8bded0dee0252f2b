/**
 * The studio in Chromium against a real `imagefleet serve` talking to the fake AUTOMATIC1111 and
 * ComfyUI servers (loopback HTTP, started here so the test reads what they received). Checks the
 * controls each model shows, the LoRA picker fed by the server's list, and that seeds, LoRAs,
 * negative prompt, img2img strength and an inpainting mask painted in the browser reach the server
 * as its API expects; regenerating one image from its seed gives the same pixels.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeComfyuiServer, type FakeComfyuiServer } from '../fakes/comfyui/fake-comfyui-server.js';
import { fakeLoras, startFakeSdwebuiServer, type FakeSdwebuiServer } from '../fakes/sdwebui/fake-sdwebui-server.js';
import { launchBrowser, newDesktopContext, screenshotAtBothWidths, watchPageErrors } from './support/browser.js';
import { startServedApp, type ServedApp } from './support/served-app.js';
import { fillPrompts, getBytes, getJson, paintMaskLeftPart, writeReferencePng, type TaskListBody } from './support/studio-page.js';

const pollOptions = { timeout: 60_000, interval: 200 };

async function submittedJobId(page: Page): Promise<string> {
  const [response] = await Promise.all([
    page.waitForResponse((candidate) => candidate.url().endsWith('/api/jobs/submit') && candidate.request().method() === 'POST'),
    page.getByTestId('generate').click(),
  ]);
  expect(response.status()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Which optional controls the settings panel and the first reference block show now. */
async function shownControls(page: Page): Promise<Record<string, boolean>> {
  const shown = async (locator: ReturnType<Page['getByTestId']>) => (await locator.count()) > 0;
  return {
    seed: await shown(page.getByTestId('seed-input')),
    negativePrompt: await shown(page.getByTestId('negative-prompt')),
    lora: await shown(page.getByTestId('lora-editor')),
    strength: await shown(page.getByTestId('strength-input')),
    mask: await shown(page.getByRole('button', { name: 'Paint mask' })),
  };
}

async function chooseProvider(page: Page, providerId: string, modelId: string): Promise<void> {
  await page.getByTestId('provider-select').selectOption(providerId);
  await expect.poll(() => page.getByTestId('model-select').inputValue(), pollOptions).toBe(modelId);
}

/** Seeds on the image cards, ascending. */
async function cardSeeds(scope: Page | Locator): Promise<number[]> {
  const seeds = await scope.getByTestId('image-card').evaluateAll((cards) => cards.map((card) => Number(card.getAttribute('data-seed'))));
  return seeds.sort((left, right) => left - right);
}

async function rawPixels(bytes: Buffer): Promise<Buffer> {
  return sharp(bytes).removeAlpha().raw().toBuffer();
}

describe('studio with Stable Diffusion servers in Chromium', () => {
  let sdwebui: FakeSdwebuiServer;
  let comfyui: FakeComfyuiServer;
  let app: ServedApp;
  let browser: Browser;

  beforeAll(async () => {
    // The fakes first: the providers read checkpoints and LoRAs when the fleet starts.
    [sdwebui, comfyui] = await Promise.all([startFakeSdwebuiServer(), startFakeComfyuiServer()]);
    [app, browser] = await Promise.all([startServedApp({ SDWEBUI_BASE_URL: sdwebui.baseUrl, COMFYUI_BASE_URL: comfyui.baseUrl }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await Promise.all([sdwebui?.close(), comfyui?.close()]);
  });

  it('sdwebui: seeds, LoRA from the server’s list, negative prompt, regenerate, img2img strength and an inpainting mask', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/studio');
    await expect.poll(() => page.getByTestId('provider-select').inputValue(), pollOptions).toBe('local');

    // Local takes seeds but no LoRA or negative prompt; strength and mask wait for a reference.
    expect(await shownControls(page)).toEqual({ seed: true, negativePrompt: false, lora: false, strength: false, mask: false });
    await chooseProvider(page, 'sdwebui', 'default');
    expect(await shownControls(page)).toEqual({ seed: true, negativePrompt: true, lora: true, strength: false, mask: false });
    expect(await page.getByTestId('lora-known-count').textContent()).toContain('3 LoRAs on the server.');
    expect(await page.locator('[data-testid="lora-editor"] datalist option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value))).toEqual(fakeLoras);

    // Switching to a model without negative prompt or LoRAs drops them, and says so.
    await page.getByTestId('negative-prompt').fill('blurry');
    await page.getByRole('button', { name: /^\+ Add LoRA/ }).click();
    // A new row starts with the first name the server lists.
    await expect.poll(() => page.getByTestId('lora-name').inputValue()).toBe('add_detail');
    await chooseProvider(page, 'local', 'local-transform');
    await expect.poll(() => page.getByTestId('dropped-settings').textContent()).toContain('so they were dropped: negative prompt; LoRA add_detail.');
    await chooseProvider(page, 'sdwebui', 'default');
    expect(await page.getByTestId('dropped-settings').count()).toBe(0);
    expect(await page.getByTestId('negative-prompt').inputValue()).toBe('');
    expect(await page.getByTestId('lora-row').count()).toBe(0);

    // (a) Text to image: a set of 4 from seed 5000 with LoRA add_detail at 0.8 and a negative prompt.
    await page.getByRole('button', { name: 'Text only' }).click();
    await fillPrompts(page, 0, [{ text: 'a lighthouse at dusk', count: 4 }]);
    await page.getByTestId('size-select').selectOption('512');
    await page.getByTestId('batch-size-4').click();
    await page.getByTestId('seed-input').fill('5000');
    await page.getByTestId('negative-prompt').fill('text, watermark');
    await page.getByRole('button', { name: /^\+ Add LoRA/ }).click();

    // A name the server does not list, typed by hand, says why and blocks Generate.
    const loraName = page.getByTestId('lora-name');
    await loraName.fill('add_detial');
    await expect.poll(() => page.getByTestId('lora-problem').textContent()).toContain('“add_detial” is not on this server’s list (add_detail, film_grain_v2, watercolor)');
    expect(await loraName.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('generate').isDisabled()).toBe(true);
    expect(await page.getByTestId('generate-blocked').textContent()).toBe('Fix the LoRA list first.');
    await page.getByTestId('lora-weight').fill('7');
    await expect.poll(() => page.getByTestId('lora-problem').textContent()).toContain('A number from -5 to 5');
    await loraName.fill('add_detail');
    await page.getByTestId('lora-weight').fill('0.8');
    await expect.poll(() => page.getByTestId('lora-problem').count()).toBe(0);
    await expect.poll(() => page.getByTestId('prompt-arithmetic').textContent()).toBe('4 images = 1 set of 4 · seeds 5000–5003');
    await expect.poll(() => page.getByTestId('generate').isEnabled(), pollOptions).toBe(true);

    const textJobId = await submittedJobId(page);
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(4);
    expect(sdwebui.generations).toHaveLength(1);
    const textCall = sdwebui.generations[0]!;
    expect(textCall.endpoint).toBe('txt2img');
    expect(textCall.body).toMatchObject({ batch_size: 4, n_iter: 1, seed: 5000, negative_prompt: 'text, watermark', width: 512, height: 512 });
    expect(textCall.body.prompt).toBe('a lighthouse at dusk <lora:add_detail:0.8>');
    expect(await cardSeeds(page)).toEqual([5000, 5001, 5002, 5003]);
    const textTasks = await getJson<TaskListBody>(page.request, `/api/jobs/${textJobId}/tasks`);
    expect(textTasks.items.map((task) => [task.seed, task.imageCount])).toEqual([[5000, 4]]);

    // (b) Regenerate one image from its seed: the server gets seed 5002 with n = 1 and draws the same pixels.
    const card = (seed: number) => page.locator(`[data-testid="image-card"][data-seed="${seed}"]`);
    const [originalId, neighbourId] = await Promise.all([card(5002).getAttribute('data-image-id'), card(5001).getAttribute('data-image-id')]);
    await card(5002).click({ button: 'right' });
    const [regenerateResponse] = await Promise.all([
      page.waitForResponse((candidate) => candidate.url().endsWith('/regenerate') && candidate.request().method() === 'POST'),
      page.getByTestId('image-context-menu').getByText('Regenerate with this seed').click(),
    ]);
    const regeneratedJobId = ((await regenerateResponse.json()) as { id: string }).id;
    // The composer is left as it was: its 4-image prompt and seed 5000.
    expect(await page.getByTestId('prompt-count').inputValue()).toBe('4');
    expect(await page.getByTestId('seed-input').inputValue()).toBe('5000');
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(5);
    expect(sdwebui.generations).toHaveLength(2);
    expect(sdwebui.generations[1]!.body).toMatchObject({ batch_size: 1, seed: 5002, prompt: 'a lighthouse at dusk <lora:add_detail:0.8>', negative_prompt: 'text, watermark' });
    const regenerated = (await getJson<TaskListBody>(page.request, `/api/jobs/${regeneratedJobId}/tasks`)).items[0]!;
    expect(regenerated.seed).toBe(5002);
    const [originalPixels, neighbourPixels, regeneratedPixels] = await Promise.all(
      [originalId, neighbourId, regenerated.imageIds[0]].map(async (imageId) => rawPixels(await getBytes(page.request, `/api/images/${imageId}`))),
    );
    expect(regeneratedPixels!.equals(originalPixels!)).toBe(true);
    expect(regeneratedPixels!.equals(neighbourPixels!)).toBe(false);

    // (c) img2img: with a reference, strength and the mask painter appear; strength 0.4 becomes denoising_strength.
    await page.getByRole('button', { name: 'Remove text to image' }).click();
    const referencePath = await writeReferencePng(app.workDir, 'lighthouse.png', 210, 512, 512);
    await page.getByTestId('reference-file-input').setInputFiles(referencePath);
    await expect.poll(() => page.getByTestId('reference-block').count(), pollOptions).toBe(1);
    expect(await shownControls(page)).toEqual({ seed: true, negativePrompt: true, lora: true, strength: true, mask: true });
    await fillPrompts(page, 0, [{ text: 'the same lighthouse in snow', count: 1 }]);
    await page.getByTestId('seed-input').fill('6000');
    const strength = page.getByTestId('strength-input');
    await strength.focus();
    // From the slider's resting 0.60, four steps of 0.05 down.
    for (let step = 0; step < 4; step += 1) await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByTestId('strength-value').textContent()).toBe('0.40');
    await submittedJobId(page);
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(6);
    expect(sdwebui.generations).toHaveLength(3);
    const imageCall = sdwebui.generations[2]!;
    expect(imageCall.endpoint).toBe('img2img');
    expect(imageCall.body).toMatchObject({ seed: 6000, batch_size: 1, denoising_strength: 0.4, resize_mode: 1 });
    expect(imageCall.body).not.toHaveProperty('mask');
    const initImages = imageCall.body.init_images as string[];
    expect(initImages).toHaveLength(1);
    expect(await sharp(Buffer.from(initImages[0]!, 'base64')).metadata()).toMatchObject({ width: 512, height: 512 });

    // (d) Inpainting: paint the left part of the reference; the server gets a mask that is white there.
    await paintMaskLeftPart(page, 0.4);
    await page.getByTestId('mask-save').click();
    await expect.poll(() => page.getByTestId('mask-set').count(), pollOptions).toBe(1);
    await submittedJobId(page);
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(7);
    expect(sdwebui.generations).toHaveLength(4);
    const maskCall = sdwebui.generations[3]!;
    expect(maskCall.endpoint).toBe('img2img');
    expect(maskCall.body).toMatchObject({ seed: 6000, denoising_strength: 0.4, inpainting_mask_invert: 0 });
    expect(maskCall.body.init_images).toEqual(initImages);
    const mask = await sharp(Buffer.from(maskCall.body.mask as string, 'base64'))
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(mask.info).toMatchObject({ width: 512, height: 512 });
    const maskAt = (x: number, y: number) => mask.data[y * mask.info.width + x];
    expect([maskAt(60, 256), maskAt(150, 100), maskAt(150, 400)]).toEqual([255, 255, 255]);
    expect([maskAt(400, 256), maskAt(480, 40)]).toEqual([0, 0]);

    // The desktop composer scrolls on its own: bring the settings into view. Toasts ("Batch done")
    // would cover them on a phone and come and go with live events, so they are hidden for the picture.
    await page.addStyleTag({ content: '[data-sonner-toaster] { display: none !important; }' });
    await page.evaluate(() => {
      window.scrollTo(0, 0);
      const aside = document.querySelector('aside');
      const settings = document.querySelector('[data-testid="settings-panel"]');
      if (aside && settings) aside.scrollTo(0, settings.getBoundingClientRect().top - aside.getBoundingClientRect().top + aside.scrollTop - 48);
    });
    await screenshotAtBothWidths(page, 'studio-stable-diffusion');
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('comfyui: a set of 2 from seed 700 queues one prompt per image with seeds 700 and 701', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/studio');
    await expect.poll(() => page.getByTestId('provider-select').inputValue(), pollOptions).toBe('local');
    await chooseProvider(page, 'comfyui', 'default');
    expect(await shownControls(page)).toEqual({ seed: true, negativePrompt: true, lora: true, strength: false, mask: false });
    expect(await page.getByTestId('lora-known-count').textContent()).toContain('2 LoRAs on the server.');

    await page.getByRole('button', { name: 'Text only' }).click();
    await fillPrompts(page, 0, [{ text: 'a red bicycle against a wall', count: 2 }]);
    await page.getByTestId('size-select').selectOption('512');
    await page.getByTestId('batch-size-2').click();
    await page.getByTestId('seed-input').fill('700');
    await page.getByRole('button', { name: /^\+ Add LoRA/ }).click();
    // ComfyUI names LoRAs with their extension; the name without it is refused with the right spelling.
    await page.getByTestId('lora-name').fill('add_detail');
    await expect.poll(() => page.getByTestId('lora-problem').textContent()).toContain('did you mean “add_detail.safetensors”?');
    await page.getByTestId('lora-name').fill('add_detail.safetensors');
    await page.getByTestId('lora-weight').fill('0.5');
    await expect.poll(() => page.getByTestId('generate').isEnabled(), pollOptions).toBe(true);

    const jobId = await submittedJobId(page);
    // The feed also shows the group's earlier batches (the sdwebui test's): look at this run only.
    const run = page.locator('[data-testid="feed-run"][data-prompt="a red bicycle against a wall"]');
    await expect.poll(() => run.getByTestId('image-card').count(), pollOptions).toBe(2);
    expect(comfyui.prompts.map((prompt) => prompt.seed)).toEqual([700, 701]);
    for (const prompt of comfyui.prompts) {
      const loraNodes = Object.values(prompt.workflow).filter((node) => node.class_type === 'LoraLoader');
      expect(loraNodes.map((node) => [node.inputs.lora_name, node.inputs.strength_model])).toEqual([['add_detail.safetensors', 0.5]]);
    }
    expect(await cardSeeds(run)).toEqual([700, 701]);
    // This browser context never made the sdwebui batches, yet the group's feed lists them (from GET /api/jobs).
    await expect.poll(() => page.locator('[data-testid="feed-run"]').count(), pollOptions).toBeGreaterThan(1);
    expect(await page.locator('[data-testid="feed-run"]').first().getAttribute('data-prompt')).toBe('a red bicycle against a wall');
    const tasks = await getJson<TaskListBody>(page.request, `/api/jobs/${jobId}/tasks`);
    expect(tasks.items.map((task) => [task.seed, task.imageCount])).toEqual([[700, 2]]);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
