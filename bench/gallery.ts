/**
 * Benchmark: the gallery of a 10,000-image group in Chromium (issue 20). Fling-scrolls the group
 * page from the first image to the last and reports the frame times (requestAnimationFrame deltas,
 * p50/p95/p99; goal p95 ≤ 33 ms), the time until the thumbnails in view are shown after a jump,
 * and the viewer's → latency (keydown → next image loaded, decoded and in a painted frame; goal
 * p95 ≤ 100 ms). The floor, measured in the same browser in alternating rounds, is a page without
 * a framework showing the same thumbnails in the same grid geometry and a bare `<img>` viewer
 * (bench/support/gallery-floor-page.ts): the machine's noise shows in both. A CPU profile (CDP
 * Profiler) of one extra fling of each says where the main thread's time goes.
 * A count of the DOM writes per row scrolled into view (MutationObserver) closes the run.
 * Run by `npm run bench` in its own process; needs a production build (`npm run build`).
 * `--dom-writes-only`: only that count, in seconds (for comparing builds on a loaded machine).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../src/config/load-config.js';
import { createFleet } from '../src/fleet/create-fleet.js';
import { launchBrowser } from '../test/e2e/support/browser.js';
import { seedGallery } from '../test/e2e/support/seed-gallery.js';
import { blobFilePath } from '../test/support/blob-file-path.js';
import { quantile, reportApiBenchResult, startServe, table, type ApiBenchResult } from './support/api-bench.js';
import { summariseCpuProfile, type CpuProfile, type CpuProfileSummary } from './support/cpu-profile-summary.js';
import { sampledMsWhere } from './support/cpu-profile-time-under.js';
import type { FigureRow } from './support/figure-rows.js';
import { galleryFloorPage, type FloorGeometry } from './support/gallery-floor-page.js';
import { galleryProbeScript } from './support/gallery-probes.js';
import { findReactScriptUrl, isReactWork } from './support/react-script.js';
import { formatDecimal, formatInteger } from './support/format-figures.js';
import { median } from './support/statistics.js';
import { makeTempDataDir } from './support/temp-data-dir.js';

const imageCount = Number(process.env.BENCH_GALLERY_IMAGES ?? 10_000);
/** A brisk fling: about 30 rows of tiles a second, 10,000 images in roughly 20 s. */
const flingSpeedPxPerS = 12_000;
const measuredRounds = 2;
const jumpFractions = [0.37, 0.81, 0.12, 0.64, 0.93, 0.25, 0.52, 0.72];
const viewerSteps = 30;
/** Rows scrolled one at a time while counting DOM writes, from `domWriteStartRows` down. */
const domWriteRows = 30;
const domWriteStartRows = 10;
/** Time between → presses: someone looking at each image briefly. */
const viewerDwellMs = 400;
/** Full images: 1024 px noisy PNGs (about 1.5 MB), like a generated picture; the seed's own are tiny. */
const fullImageSidePx = 1024;
const goalFrameP95Ms = 33;
const goalViewerP95Ms = 100;
const floorPath = '/__bench/gallery-floor';
const domWritesOnly = process.argv.includes('--dom-writes-only');

interface FlingResult {
  /** Every frame's gap to the one before, ms. */
  deltasMs: number[];
  /** The gaps of frames that showed a scroll step (not those spent waiting at the end of what was loaded), ms. */
  movingDeltasMs: number[];
  durationMs: number;
  waitingAtEndMs: number;
  reactCommits: number;
  scrollHeightPx: number;
}

interface RendererCounters {
  layoutCount: number;
  recalcStyleCount: number;
  layoutMs: number;
  recalcStyleMs: number;
  scriptMs: number;
  taskMs: number;
  /** CPU time of the page's main thread, ms: unlike the durations above, it does not grow while the thread waits for a core. */
  mainThreadCpuMs: number;
}

/** What a MutationObserver saw under the grid while `rows` rows scrolled into view one at a time (gallery-probes.ts). */
interface DomWrites {
  rows: number;
  attributes: number;
  nodesAdded: number;
  nodesRemoved: number;
  textChanges: number;
  /** Attribute writes by element and attribute name, such as `img[src]`. */
  attributesByName: Record<string, number>;
}

interface SideResult {
  /** Frames that showed a scroll step, all flings. */
  frameDeltasMs: number[];
  flings: Array<FlingResult & { counters: RendererCounters; loadAverage: number }>;
  jumpLatenciesMs: number[];
  viewerLatenciesMs: number[];
  profile?: CpuProfileSummary;
  /**
   * Of the profiled fling: sampled ms of React's work — the tasks and microtasks entered in React's
   * script (its scheduler's task, its flush of synchronous updates, its event listeners) and anything
   * under `flushSync` — where it renders the rows that came into view, commits them and runs their
   * effects (the floor has no React).
   */
  reactWorkMs?: number;
  domWrites?: DomWrites;
}

async function main(): Promise<void> {
  const dataDirectory = await makeTempDataDir('gallery');
  const loadBefore = loadavg()[0]!;
  const seedStartMs = performance.now();
  const dataDir = path.join(dataDirectory.directory, 'data');
  const seeded = await seedGallery(dataDir, imageCount, 'Bench gallery');
  await replaceFullImages(dataDir);
  const seedMs = performance.now() - seedStartMs;
  console.log(`seeded ${formatInteger(seeded.imageCount)} images in ${formatDecimal(seedMs / 1000, 1)} s`);

  const serve = await startServe(dataDir);
  const browser = await launchBrowser();
  try {
    const ids = await allImageIds(serve.baseUrl, seeded.groupId);
    const geometry = await galleryGeometry(browser, serve.baseUrl, seeded.groupId);
    const floorHtml = galleryFloorPage(
      geometry,
      ids.map((id) => `/api/images/${id}/thumb`),
      ids.map((id) => `/api/images/${id}`),
    );
    const app: SideResult = { frameDeltasMs: [], flings: [], jumpLatenciesMs: [], viewerLatenciesMs: [] };
    const floor: SideResult = { frameDeltasMs: [], flings: [], jumpLatenciesMs: [], viewerLatenciesMs: [] };
    const galleryUrl = `/groups/${seeded.groupId}`;
    const targetTileLabel = `Open image ${formatInteger(imageCount).replace(/,/g, '')}`;

    // Alternating rounds (gallery, floor, gallery, floor): a noisy minute hits both sides.
    for (let round = 0; round < (domWritesOnly ? 0 : measuredRounds); round += 1) {
      for (const side of ['gallery', 'floor'] as const) {
        const result = side === 'gallery' ? app : floor;
        const context = await newBenchContext(browser, serve.baseUrl, floorHtml);
        const page = await context.newPage();
        await openSide(page, side, galleryUrl);
        const loadAverage = loadavg()[0]!;
        const session = await context.newCDPSession(page);
        await session.send('Performance.enable');
        const before = counters(await session.send('Performance.getMetrics'));
        const fling = await page.evaluate<FlingResult>(`window.imagefleetBench.fling(${JSON.stringify({ speedPxPerS: flingSpeedPxPerS, targetTileLabel, maxMs: 180_000 })})`);
        const after = counters(await session.send('Performance.getMetrics'));
        result.flings.push({ ...fling, counters: difference(after, before), loadAverage });
        result.frameDeltasMs.push(...fling.movingDeltasMs);
        const flingCounters = result.flings[result.flings.length - 1]!.counters;
        console.log(`${side} fling ${round + 1}: p95 ${formatDecimal(quantile(fling.movingDeltasMs, 0.95), 1)} ms over ${fling.movingDeltasMs.length} moving frames (${formatDecimal((100 * fling.movingDeltasMs.filter((deltaMs) => deltaMs > 25).length) / fling.movingDeltasMs.length, 1)}% longer than one vsync), ${formatDecimal(fling.durationMs / 1000, 1)} s, main thread CPU ${formatInteger(flingCounters.mainThreadCpuMs)} ms (load ${loadAverage.toFixed(2)})`);
        await context.close();

        // Jumps in a fresh context, so the thumbnails at the targets are not cached from the fling.
        const jumpContext = await newBenchContext(browser, serve.baseUrl, floorHtml);
        const jumpPage = await jumpContext.newPage();
        await openSide(jumpPage, side, galleryUrl);
        if (side === 'gallery') await loadEveryPage(jumpPage, targetTileLabel);
        for (const fraction of jumpFractions) {
          const jump = await jumpPage.evaluate<{ latencyMs: number }>(`window.imagefleetBench.jump(${fraction})`);
          result.jumpLatenciesMs.push(jump.latencyMs);
          await jumpPage.waitForTimeout(200);
        }
        result.viewerLatenciesMs.push(...(await measureViewer(jumpPage, side)));
        console.log(`${side} round ${round + 1}: jump median ${formatInteger(median(result.jumpLatenciesMs))} ms, viewer → p95 ${formatInteger(quantile(result.viewerLatenciesMs, 0.95))} ms`);
        await jumpContext.close();
      }
    }

    // Profiled flings (the profiler's own cost stays out of the figures above).
    for (const side of domWritesOnly ? [] : (['gallery', 'floor'] as const)) {
      const context = await newBenchContext(browser, serve.baseUrl, floorHtml);
      const page = await context.newPage();
      await openSide(page, side, galleryUrl);
      const session = await context.newCDPSession(page);
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: 500 });
      await session.send('Profiler.start');
      await page.evaluate(`window.imagefleetBench.fling(${JSON.stringify({ speedPxPerS: flingSpeedPxPerS, targetTileLabel, maxMs: 180_000 })})`);
      const { profile } = (await session.send('Profiler.stop')) as unknown as { profile: CpuProfile };
      if (process.env.BENCH_GALLERY_PROFILE_DIR) {
        await mkdir(process.env.BENCH_GALLERY_PROFILE_DIR, { recursive: true });
        await writeFile(path.join(process.env.BENCH_GALLERY_PROFILE_DIR, `${side}.cpuprofile`), JSON.stringify(profile));
      }
      (side === 'gallery' ? app : floor).profile = summariseCpuProfile(profile);
      if (side === 'gallery') app.reactWorkMs = await reactWorkMs(profile);
      await context.close();
    }

    // DOM writes per row scrolled into view: a count, which the machine's load does not move.
    for (const side of ['gallery', 'floor'] as const) {
      const context = await newBenchContext(browser, serve.baseUrl, floorHtml);
      const page = await context.newPage();
      await openSide(page, side, galleryUrl);
      const domWrites = await page.evaluate<DomWrites>(`window.imagefleetBench.countDomWrites(${JSON.stringify({ startRows: domWriteStartRows, rows: domWriteRows, rowPx: geometry.tilePx + geometry.gapPx })})`);
      (side === 'gallery' ? app : floor).domWrites = domWrites;
      console.log(`${side} DOM writes per row: ${perRowText(domWrites)}`);
      await context.close();
    }

    if (domWritesOnly) return;
    await reportApiBenchResult(report({ app, floor, geometry, seedMs, loadBefore, loadAfter: loadavg()[0]!, imageCount: seeded.imageCount }));
  } finally {
    await browser.close();
    await serve.stop();
    await dataDirectory.remove();
  }
}

/** Sampled ms of React's work in the profile; React's script is found among those the profile ran (minification renames its functions). */
async function reactWorkMs(profile: CpuProfile): Promise<number> {
  const urls = [...new Set(profile.nodes.map((node) => node.callFrame.url).filter((url) => /\/_next\/static\/.+\.js$/.test(url)))];
  const scripts = await Promise.all(urls.map(async (url) => ({ url, source: await (await fetch(url)).text() })));
  const reactUrl = findReactScriptUrl(scripts);
  // Without it the column would read React's work as the flushSync share alone, close to zero.
  if (!reactUrl) throw new Error(`React's scheduler was not found in the ${urls.length} scripts the gallery's profile ran; update bench/support/react-script.ts for this build.`);
  return sampledMsWhere(profile, (stack) => isReactWork(stack, reactUrl));
}

/** Replaces the seed's small output PNGs with full-size noisy ones, so the viewer loads and decodes what a real image costs. */
async function replaceFullImages(dataDir: string): Promise<void> {
  const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: dataDir, IMAGEFLEET_LOG_LEVEL: 'silent' }, { cwd: path.dirname(dataDir) }));
  try {
    for (let index = 0; index < 12; index += 1) {
      const bytes = await sharp({ create: { width: fullImageSidePx, height: fullImageSidePx, channels: 3, background: { r: (index * 61) % 256, g: 90, b: 140 }, noise: { type: 'gaussian', mean: 120 + index, sigma: 18 } } }).png().toBuffer();
      await writeFile(blobFilePath(fleet.blobs, `outputs/seed/${index}.png`), bytes);
    }
  } finally {
    await fleet.stop();
  }
}

async function allImageIds(baseUrl: string, groupId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const parameters = new URLSearchParams({ limit: '500' });
    if (cursor !== null) parameters.set('cursor', cursor);
    const response = await fetch(`${baseUrl}/api/groups/${groupId}/images?${parameters.toString()}`);
    if (!response.ok) throw new Error(`listing the gallery failed: HTTP ${response.status}`);
    const page = (await response.json()) as { items: Array<{ id: string }>; nextCursor: string | null };
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

async function newBenchContext(browser: Browser, baseUrl: string, floorHtml: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
  await context.addInitScript({ content: galleryProbeScript });
  await context.route(`**${floorPath}`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: floorHtml }));
  return context;
}

async function openSide(page: Page, side: 'gallery' | 'floor', galleryUrl: string): Promise<void> {
  await page.goto(side === 'gallery' ? galleryUrl : floorPath);
  await page.locator('[data-testid="image-grid"] img').first().waitFor({ timeout: 60_000 });
  // First paint and hydration are not what this measures.
  await page.waitForTimeout(1000);
}

/** The grid's geometry as the gallery lays it out at this viewport, for the floor to copy. */
async function galleryGeometry(browser: Browser, baseUrl: string, groupId: string): Promise<FloorGeometry> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(`/groups/${groupId}`);
    await page.locator('[data-testid="image-tile"]').first().waitFor({ timeout: 60_000 });
    return await page.evaluate<FloorGeometry>(`(() => {
      const grid = document.querySelector('[data-testid="image-grid"]');
      const tiles = [...grid.querySelectorAll('[data-testid="image-tile"]')].map((tile) => tile.getBoundingClientRect());
      const firstTop = tiles[0].top;
      const firstRow = tiles.filter((box) => Math.abs(box.top - firstTop) < 1);
      const gap = firstRow.length > 1 ? firstRow[1].left - firstRow[0].right : 8;
      return { columns: firstRow.length, tilePx: tiles[0].width, gapPx: gap, widthPx: grid.clientWidth, heightPx: grid.clientHeight };
    })()`);
  } finally {
    await context.close();
  }
}

/** Scrolls straight to the end until the last page is loaded (a drag of the scrollbar to the bottom, repeated). */
async function loadEveryPage(page: Page, targetTileLabel: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (!(await page.locator(`[aria-label^="${targetTileLabel}"]`).count())) {
    if (Date.now() > deadline) throw new Error('the gallery did not load every page within 180 s');
    await page.evaluate(`(() => { const grid = document.querySelector('[data-testid="image-grid"]'); grid.scrollTop = grid.scrollHeight; })()`);
    await page.waitForTimeout(100);
  }
}

/** Opens the viewer on a tile in view and presses → `viewerSteps` times, `viewerDwellMs` apart. */
async function measureViewer(page: Page, side: 'gallery' | 'floor'): Promise<number[]> {
  await page.evaluate('window.imagefleetBench.jump(0.3)');
  if (side === 'gallery') {
    await page.locator('[data-testid="image-tile"] button[aria-label^="Open image"]').nth(10).click();
    await page.locator('[data-testid="viewer-image"]').waitFor({ timeout: 30_000 });
  } else {
    await page.evaluate(`window.openFloorViewer(${Math.floor(imageCount * 0.3)})`);
  }
  await page.locator('[data-testid="viewer-image"]:visible').first().evaluate('(image) => image.decode()', undefined, { timeout: 30_000 });
  await page.waitForTimeout(viewerDwellMs);
  await page.evaluate('window.imagefleetBench.watchViewer()');
  for (let step = 0; step < viewerSteps; step += 1) {
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(viewerDwellMs);
  }
  // Polled from here: waitForFunction with a string would eval in the page, which the app's CSP forbids.
  const deadline = Date.now() + 60_000;
  while ((await page.evaluate<number>('window.imagefleetBench.viewerLatenciesMs.length')) < viewerSteps) {
    if (Date.now() > deadline) throw new Error(`${side}: the viewer did not show ${viewerSteps} images within 60 s`);
    await page.waitForTimeout(100);
  }
  const latencies = await page.evaluate<number[]>('window.imagefleetBench.viewerLatenciesMs');
  if (latencies.some((value) => !Number.isFinite(value))) throw new Error(`${side}: an image in the viewer did not show within 30 s of →`);
  return latencies;
}

function counters(metrics: { metrics: Array<{ name: string; value: number }> }): RendererCounters {
  const value = (name: string) => metrics.metrics.find((metric) => metric.name === name)?.value ?? 0;
  return {
    layoutCount: value('LayoutCount'),
    recalcStyleCount: value('RecalcStyleCount'),
    layoutMs: value('LayoutDuration') * 1000,
    recalcStyleMs: value('RecalcStyleDuration') * 1000,
    scriptMs: value('ScriptDuration') * 1000,
    taskMs: value('TaskDuration') * 1000,
    mainThreadCpuMs: value('ThreadTime') * 1000,
  };
}

function difference(after: RendererCounters, before: RendererCounters): RendererCounters {
  return {
    layoutCount: after.layoutCount - before.layoutCount,
    recalcStyleCount: after.recalcStyleCount - before.recalcStyleCount,
    layoutMs: after.layoutMs - before.layoutMs,
    recalcStyleMs: after.recalcStyleMs - before.recalcStyleMs,
    scriptMs: after.scriptMs - before.scriptMs,
    taskMs: after.taskMs - before.taskMs,
    mainThreadCpuMs: after.mainThreadCpuMs - before.mainThreadCpuMs,
  };
}

function perRowText(writes: DomWrites): string {
  const perRow = (count: number) => formatDecimal(count / writes.rows, 1);
  const byName = Object.entries(writes.attributesByName)
    .sort(([, left], [, right]) => right - left)
    .map(([name, count]) => `${name} ${perRow(count)}`)
    .join(', ');
  return `${perRow(writes.attributes)} attributes (${byName || 'none'}), ${perRow(writes.nodesAdded)} nodes added, ${perRow(writes.nodesRemoved)} removed, ${perRow(writes.textChanges)} text changes`;
}

const ms = (value: number) => `${formatDecimal(value, 1)} ms`;
const quantiles = (values: readonly number[]) => `p50 ${ms(quantile(values, 0.5))} · p95 ${ms(quantile(values, 0.95))} · p99 ${ms(quantile(values, 0.99))}`;

function report(input: { app: SideResult; floor: SideResult; geometry: FloorGeometry; seedMs: number; loadBefore: number; loadAfter: number; imageCount: number }): ApiBenchResult {
  const { app, floor, geometry } = input;
  const frameP95 = quantile(app.frameDeltasMs, 0.95);
  const floorFrameP95 = quantile(floor.frameDeltasMs, 0.95);
  const viewerP95 = quantile(app.viewerLatenciesMs, 0.95);
  const floorViewerP95 = quantile(floor.viewerLatenciesMs, 0.95);
  const loads = [...app.flings, ...floor.flings].map((fling) => fling.loadAverage);
  const loadText = `load ${input.loadBefore.toFixed(2)} before, ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} during the flings, ${input.loadAfter.toFixed(2)} after`;
  const rows: FigureRow[] = [
    {
      benchmark: 'gallery',
      figure: `frame time while flinging through ${formatInteger(input.imageCount)} images (floor: same thumbnails, no framework)`,
      value: `p95 ${ms(frameP95)} (floor ${ms(floorFrameP95)}); p50 ${ms(quantile(app.frameDeltasMs, 0.5))} (floor ${ms(quantile(floor.frameDeltasMs, 0.5))}); ${loadText}`,
      goal: `p95 ≤ ${goalFrameP95Ms} ms`,
      verdict: frameP95 <= goalFrameP95Ms ? 'met' : 'missed',
    },
    {
      benchmark: 'gallery',
      figure: 'thumbnails in view shown after a jump (floor: same)',
      value: `median ${ms(median(app.jumpLatenciesMs))}, p95 ${ms(quantile(app.jumpLatenciesMs, 0.95))} (floor median ${ms(median(floor.jumpLatenciesMs))}, p95 ${ms(quantile(floor.jumpLatenciesMs, 0.95))})`,
      goal: 'informative',
      verdict: 'info',
    },
    {
      benchmark: 'gallery',
      figure: 'viewer → next image decoded and painted (floor: bare <img>, no prefetch)',
      value: `p95 ${ms(viewerP95)}, p50 ${ms(quantile(app.viewerLatenciesMs, 0.5))} (floor p95 ${ms(floorViewerP95)}, p50 ${ms(quantile(floor.viewerLatenciesMs, 0.5))})`,
      goal: `p95 ≤ ${goalViewerP95Ms} ms`,
      verdict: viewerP95 <= goalViewerP95Ms ? 'met' : 'missed',
    },
  ];
  const flingRows = (label: string, side: SideResult) =>
    side.flings.map((fling, index) => [
      `${label} ${index + 1}`,
      fling.loadAverage.toFixed(2),
      `${formatInteger(fling.movingDeltasMs.length)} of ${formatInteger(fling.deltasMs.length)}`,
      quantiles(fling.movingDeltasMs),
      ms(Math.max(...fling.movingDeltasMs)),
      `${formatDecimal(fling.durationMs / 1000, 1)} s (${formatDecimal(fling.waitingAtEndMs / 1000, 1)} s at the loaded end)`,
      label === 'gallery' ? formatInteger(fling.reactCommits) : '—',
      `${formatInteger(fling.counters.layoutCount)} / ${ms(fling.counters.layoutMs)}`,
      `${formatInteger(fling.counters.recalcStyleCount)} / ${ms(fling.counters.recalcStyleMs)}`,
      ms(fling.counters.scriptMs),
      ms(fling.counters.mainThreadCpuMs),
    ]);
  const profileRows = (label: string, profile: CpuProfileSummary | undefined, reactMs: number | undefined) =>
    profile
      ? [[label, ms(profile.totalMs), ms(profile.idleMs), ms(profile.scriptMs), reactMs === undefined ? '—' : ms(reactMs), ms(profile.programMs), ms(profile.garbageCollectionMs), profile.topFunctions.slice(0, 5).map((entry) => `${entry.name} (${entry.location}) ${ms(entry.selfMs)}`).join('; ')]]
      : [];
  const section = [
    '## 8. Gallery (issue 20)',
    [
      `\`bench/gallery.ts\`: a group of ${formatInteger(input.imageCount)} images (rows written straight into SQLite, 12 distinct thumbnails and ${fullImageSidePx} px noisy PNGs as the full images; seeding took ${formatDecimal(input.seedMs / 1000, 1)} s), served by the real \`imagefleet serve\`, `,
      `opened in Chromium (headless, software rendering, 1440 × 900). Grid: ${geometry.columns} columns of ${formatDecimal(geometry.tilePx, 1)} px tiles, ${formatDecimal(geometry.gapPx, 0)} px gap, in a ${formatInteger(geometry.widthPx)} × ${formatInteger(geometry.heightPx)} px scroll box. `,
      `**Fling**: the grid is scrolled at ${formatInteger(flingSpeedPxPerS)} px/s by wall-clock time from the first image until the last is in view; frame time is the gap between animation frames, counted for the frames that showed a scroll step (frames spent waiting at the end of what was loaded are cheap and would flatter the figure; that wait is listed as its own column). Layout, style and script times are the renderer's own durations (they grow while the main thread waits for a core); "main thread CPU" is the main thread's CPU time over the fling (\`ThreadTime\`), which the machine's load moves far less. `,
      `**Jump**: in a fresh browser context (nothing cached) with every page loaded, the scroll position is set to ${jumpFractions.length} spots; the latency runs until every thumbnail in view is loaded, decoded and in a painted frame. `,
      `**Viewer**: → pressed ${viewerSteps} times, ${viewerDwellMs} ms apart; keydown → the next image loaded, decoded, and the next animation frame. `,
      '**Floor**: a page without a framework, at the same origin, with the same thumbnails in the same geometry, adding and removing rows with plain DOM calls, and a bare `<img>` viewer that does not prefetch (`bench/support/gallery-floor-page.ts`). ',
      `Gallery and floor run in alternating rounds (${measuredRounds} each) in the same browser, so the shared machine's noise lands on both. Machine: ${loadText}.`,
    ].join(''),
    table(['Fling', 'Load (1 min)', 'Moving frames of all', 'Frame time (moving)', 'Longest', 'Duration', 'React commits', 'Layouts / time', 'Style recalcs / time', 'Script time', 'Main thread CPU'], [...flingRows('gallery', app), ...flingRows('floor', floor)]),
    table(
      ['', 'Gallery', 'Floor'],
      [
        ['Frame time while moving, all flings', quantiles(app.frameDeltasMs), quantiles(floor.frameDeltasMs)],
        ['Thumbnails after a jump', quantiles(app.jumpLatenciesMs), quantiles(floor.jumpLatenciesMs)],
        ['Viewer →', quantiles(app.viewerLatenciesMs), quantiles(floor.viewerLatenciesMs)],
      ],
    ),
    '**CPU profile** of one more fling of each (CDP Profiler, 0.5 ms sampling; "program" is the browser\'s own main-thread work: style, layout, paint, image decoding handed off; `fling` is the benchmark\'s probe, whose `scrollTop` writes run the scroll and its layout synchronously; "of it React" is the time of the tasks and microtasks entered in React\'s own script — its scheduler\'s `MessageChannel` task, in which it renders the virtualiser\'s scroll update after the frame (no `flushSync` since decision 0046\'s third amendment: the row that came into view, one row of tiles per frame at this speed), its flush of synchronous updates (React Query\'s page loads), its event listeners — plus anything under `flushSync`; React\'s script is found among the build\'s by its scheduler, `bench/support/react-script.ts`):',
    table(['Profile', 'Sampled', 'Idle', 'Script', 'Of it React', 'Program', 'GC', 'Top self time'], [...profileRows('gallery', app.profile, app.reactWorkMs), ...profileRows('floor', floor.profile, undefined)]),
    `**DOM writes per row scrolled into view** (a count, which the machine's load does not move): from row ${domWriteStartRows}, with the rows ahead loaded, the grid is scrolled down one row at a time, two animation frames per row, ${domWriteRows} rows; a MutationObserver on the grid counts attribute writes (a write of the same value counts too: the browser does the work), nodes added and removed (a subtree inserted whole counts once: the floor inserts a built row, the gallery a new \`<img>\` per tile into the recycled row) and text changes, divided by the rows. Event-handler properties such as \`onclick\` are not attributes and do not show.`,
    table(['', 'Gallery', 'Floor'], [['Per row scrolled into view', app.domWrites ? perRowText(app.domWrites) : '—', floor.domWrites ? perRowText(floor.domWrites) : '—']]),
    '**What the profiles showed and what changed** (memoised rows, load-ahead, cancelled thumbnails, viewer prefetch, no backdrop blur, then one shared context menu per grid and lighter tiles, then recycled rows: a scroll re-renders the tiles of the row that left with the images of the row that came into view instead of unmounting one and mounting the other, then rows rendered in React\'s scheduler task after the frame instead of under `flushSync` in it, fewer writes per recycled tile and thumbnails made with plain DOM calls), with every run behind each step: [decisions/0046](decisions/0046-gallery-rendering-and-viewer-prefetch.md).',
  ].join('\n\n');
  return { scenario: 'gallery', rows, section };
}

await main();
