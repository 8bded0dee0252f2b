/**
 * The Studio keeps its work and is safe to use (issue 15): a 2 references × 3 prompts draft survives
 * a reload, a visit to the Queue and shows in another tab; "Use seed" changes only the seed and can
 * be undone; Ctrl+Enter generates; "?" lists the shortcuts; the viewer's actions work in the
 * Studio; on a touch phone the card actions are reachable without hover, select mode selects by
 * tapping and the navigation shows every section. axe-core checks each state.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSeriousViolations } from './support/accessibility.js';
import { launchBrowser, newDesktopContext, viewports, watchPageErrors } from './support/browser.js';
import { startServedApp, type ServedApp } from './support/served-app.js';
import { createGroup, fillPrompts, getJson, writeReferencePng } from './support/studio-page.js';

const pollOptions = { timeout: 60_000, interval: 200 };

const promptsOf = (page: Page) => page.getByTestId('prompt-text').evaluateAll((fields) => fields.map((field) => (field as HTMLTextAreaElement).value));
const countsOf = (page: Page) => page.getByTestId('prompt-count').evaluateAll((fields) => fields.map((field) => (field as HTMLInputElement).value));

describe('Studio drafts, shortcuts and touch in Chromium', () => {
  let app: ServedApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startServedApp(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('keeps a 2×3 draft across reload, navigation and tabs; Use seed changes only the seed, with Undo; Ctrl+Enter generates', async () => {
    const context = await newDesktopContext(browser, app.baseUrl);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/studio');
    await expect.poll(() => page.getByTestId('provider-select').inputValue(), pollOptions).toBe('local');
    await createGroup(page, 'Drafts');
    const [shoe, bag] = await Promise.all([writeReferencePng(app.workDir, 'shoe.png', 20), writeReferencePng(app.workDir, 'bag.png', 200)]);
    await page.getByTestId('reference-file-input').setInputFiles([shoe, bag]);
    await expect.poll(() => page.getByTestId('reference-block').count(), pollOptions).toBe(2);
    await fillPrompts(page, 0, [
      { text: 'shoe on marble', count: 1 },
      { text: 'shoe on sand', count: 2 },
      { text: 'shoe in snow', count: 1 },
    ]);
    await fillPrompts(page, 1, [
      { text: 'bag on marble', count: 1 },
      { text: 'bag on sand', count: 1 },
      { text: 'bag in snow', count: 3 },
    ]);
    await page.getByTestId('size-select').selectOption('512');
    await page.getByTestId('batch-size-2').click();
    const draftPrompts = ['shoe on marble', 'shoe on sand', 'shoe in snow', 'bag on marble', 'bag on sand', 'bag in snow'];
    const draftCounts = ['1', '2', '1', '1', '1', '3'];
    await expect.poll(() => promptsOf(page)).toEqual(draftPrompts);

    // Reload, then the Queue and back: the draft is still there.
    await page.reload();
    await expect.poll(() => promptsOf(page), pollOptions).toEqual(draftPrompts);
    expect(await countsOf(page)).toEqual(draftCounts);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click();
    await page.waitForURL(/\/queue$/);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Studio' }).click();
    await expect.poll(() => promptsOf(page), pollOptions).toEqual(draftPrompts);

    // Another tab shows it, and an edit there reaches this one.
    const other = await context.newPage();
    await other.goto('/studio');
    await expect.poll(() => promptsOf(other), pollOptions).toEqual(draftPrompts);
    await other.getByTestId('prompt-text').nth(2).fill('shoe in the rain');
    await expect.poll(() => promptsOf(page), pollOptions).toEqual(['shoe on marble', 'shoe on sand', 'shoe in the rain', 'bag on marble', 'bag on sand', 'bag in snow']);
    await other.close();
    await expectNoSeriousViolations(page, 'the Studio with a 2×3 draft');

    // Ctrl+Enter from a prompt field generates the 9 images.
    await page.getByTestId('seed-input').fill('700');
    const [submitted] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/api/jobs/submit') && response.request().method() === 'POST'),
      page.getByTestId('prompt-text').first().press('Control+Enter'),
    ]);
    expect(submitted.status()).toBe(201);
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(9);
    // The sent prompts are kept per group, one click from a new row.
    await page.getByTestId('recent-prompts').locator('summary').click();
    await page.getByTestId('recent-prompts').getByRole('button', { name: 'bag in snow' }).click();
    await expect.poll(() => page.getByTestId('prompt-text').count()).toBe(7);
    await page.getByRole('button', { name: 'Remove prompt 4 of reference 2' }).click();
    await expect.poll(() => page.getByTestId('prompt-text').count()).toBe(6);

    // Use seed: only the seed field changes; the 2×3 draft stays; Undo puts the old seed back.
    await page.getByTestId('seed-input').fill('42');
    const card = page.locator('[data-testid="image-card"][data-seed="705"]');
    await card.click({ button: 'right' });
    await expectNoSeriousViolations(page, 'the card context menu');
    await page.getByTestId('image-context-menu').getByText('Use seed').click();
    await expect.poll(() => page.getByTestId('seed-input').inputValue()).toBe('705');
    expect(await promptsOf(page)).toEqual(['shoe on marble', 'shoe on sand', 'shoe in the rain', 'bag on marble', 'bag on sand', 'bag in snow']);
    expect(await countsOf(page)).toEqual(draftCounts);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByTestId('seed-input').inputValue()).toBe('42');

    // "?" lists the shortcuts.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('?');
    await expect.poll(() => page.getByTestId('shortcuts-dialog').count()).toBe(1);
    expect(await page.getByTestId('shortcuts-dialog').textContent()).toContain('Alt+R');
    await expectNoSeriousViolations(page, 'the shortcuts list');
    await page.keyboard.press('Escape');

    // The one viewer, in the Studio: arrows through the run, the seed copied, a re-roll from the viewer.
    await card.focus();
    await page.keyboard.press('Enter');
    const viewer = page.getByTestId('image-viewer');
    await expect.poll(() => viewer.count()).toBe(1);
    expect(await viewer.getByRole('button', { name: 'Next image (→)' }).count()).toBe(1);
    await viewer.getByTestId('viewer-copy-seed').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/^70\d$/);
    await expectNoSeriousViolations(page, 'the Studio viewer');
    // Use as reference: the picture becomes a third reference block, the other two untouched.
    await viewer.getByTestId('viewer-use-as-reference').click();
    await expect.poll(() => page.getByTestId('reference-block').count(), pollOptions).toBe(3);
    expect(await page.getByTestId('prompt-text').count()).toBe(7);
    const [reroll] = await Promise.all([page.waitForResponse((response) => response.url().endsWith('/regenerate')), viewer.getByTestId('viewer-reroll').click()]);
    expect(reroll.status()).toBe(201);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(10);
    // A feed image dragged onto the references becomes one more.
    await page.getByTestId('image-card').first().dragTo(page.getByTestId('reference-dropzone'));
    await expect.poll(() => page.getByTestId('reference-block').count(), pollOptions).toBe(4);
    // The feed filter takes a seed.
    await page.getByTestId('feed-filter-text').fill('705');
    await expect.poll(() => page.getByTestId('feed-run').count()).toBe(1);
    await page.getByTestId('feed-filter-text').fill('');
    // A set's U/V row: V2 makes a set of 4 of its second image — with "V: vary (strong)" chosen, of the picture itself.
    await page.getByTestId('feed-vary-strength').selectOption('strong');
    const setActions = page.locator('[data-testid="feed-set"][data-set-size="2"]').first().getByTestId('set-actions');
    const [vary] = await Promise.all([page.waitForResponse((response) => response.url().endsWith('/regenerate')), setActions.getByRole('button', { name: 'V2: vary (strong) image 2 of the set' }).click()]);
    expect(vary.status()).toBe(201);
    expect(JSON.parse(vary.request().postData() ?? '{}')).toEqual({ count: 4, strength: 'strong' });
    expect(((await vary.json()) as { variation: unknown }).variation).toMatchObject({ from: 'image', denoise: 0.75 });
    await expectNoSeriousViolations(page, 'the Studio with V set to vary (strong)');
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBe(14);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('on a touch phone: card actions without hover, select mode, every section in the navigation', async () => {
    const context = await browser.newContext({ baseURL: app.baseUrl, viewport: viewports.phone, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto('/studio');
    // The earlier test's group and feed, chosen on the phone.
    const groupSelect = page.getByTestId('group-select');
    await expect.poll(() => groupSelect.locator('option', { hasText: 'Drafts' }).count(), pollOptions).toBe(1);
    await groupSelect.selectOption((await groupSelect.locator('option', { hasText: 'Drafts' }).getAttribute('value')) ?? '');
    await expect.poll(() => page.getByTestId('image-card').count(), pollOptions).toBeGreaterThan(0);
    for (const section of ['Overview', 'Studio', 'Automatic', 'Queue', 'Groups', 'Settings']) {
      const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: section });
      const box = await link.boundingBox();
      expect(box, section).not.toBeNull();
      expect(box!.x, section).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, section).toBeLessThanOrEqual(viewports.phone.width);
    }

    const card = page.getByTestId('image-card').first();
    const imageId = await card.getAttribute('data-image-id');
    await card.scrollIntoViewIfNeeded();
    // No hover on a phone: the favourite button is visible and takes a tap.
    expect(await card.getByTestId('card-actions').evaluate((element) => getComputedStyle(element).opacity)).toBe('1');
    await card.getByTestId('card-favorite').tap();
    await expect.poll(async () => (await getJson<{ favorite: boolean }>(page.request, `/api/images/${imageId}?format=json`)).favorite, pollOptions).toBe(true);

    // Select mode: a tap selects instead of opening the viewer.
    await page.getByTestId('feed-select-mode').tap();
    await card.getByTestId('card-open').tap();
    await expect.poll(() => card.getAttribute('data-selected')).toBe('true');
    expect(await page.getByTestId('image-viewer').count()).toBe(0);
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('1 selected');
    await expectNoSeriousViolations(page, 'the Studio on a phone in select mode');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
