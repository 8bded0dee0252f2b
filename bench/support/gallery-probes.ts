/**
 * The in-page half of the gallery benchmark, installed as an init script in every page it opens
 * (the gallery and its floor alike, so both are measured by the same code). Kept as plain
 * JavaScript text: functions handed to `page.evaluate` from a tsx-compiled file can carry helpers
 * (`__name`) that do not exist in the page.
 *
 * `window.imagefleetBench` offers:
 * - `fling({ speedPxPerS, targetTileLabel, maxMs })`: scrolls `[data-testid=image-grid]` at a constant
 *   speed by wall-clock time (a dropped frame jumps further, as a real fling does), one step per
 *   animation frame, until the end of the list is in view and the tile whose button's label starts
 *   with `targetTileLabel` exists; resolves with the frame deltas (ms), how long it took, and the
 *   time spent waiting at the bottom of what was loaded.
 * - `jump(fraction)`: sets the grid's scroll position to `fraction` of its height and resolves with
 *   the ms until every thumbnail that intersects the view is loaded, decoded and in a painted frame.
 * - `watchViewer()`: from then on, each → keydown starts a clock that stops at the first animation
 *   frame after the viewer's picture (`[data-testid=viewer-image]`) shows a new source, loaded and
 *   decoded; the results collect in `viewerLatenciesMs`.
 * - `countDomWrites({ startRows, rows, rowPx })`: from `startRows` down, once the rows to scroll
 *   through are loaded and the page has settled, scrolls the grid one row at a time, two animation frames
 *   per row (so the scroll never stops and the document is not reordered), and resolves with what a
 *   MutationObserver saw under the grid: attribute writes (a same-value write counts: the browser
 *   does the work), also by element and attribute (`img[src]`), nodes added and removed, text changes. A count, not a timing: the machine's
 *   load does not move it.
 * - React commits are counted through the devtools hook React calls in production builds too.
 */
export const galleryProbeScript = String.raw`
(() => {
  const commits = { count: 0 };
  // React (production too) reports each commit to this hook when it exists before React loads.
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    isDisabled: false,
    supportsFiber: true,
    renderers: new Map(),
    inject() { return 1; },
    onScheduleFiberRoot() {},
    onCommitFiberRoot() { commits.count += 1; },
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    checkDCE() {},
  };
  const viewerImageSelector = '[data-testid="viewer-image"]';
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const grid = () => document.querySelector('[data-testid="image-grid"]');

  async function fling(options) {
    const element = grid();
    if (!element) throw new Error('no image grid on the page');
    element.scrollTop = 0;
    await nextFrame();
    await nextFrame();
    const deltasMs = [];
    const commitsBefore = commits.count;
    const startMs = performance.now();
    let previousMs = startMs;
    let waitingMs = 0;
    let lastEndCheckMs = 0;
    const movingDeltasMs = [];
    let moving = false;
    for (;;) {
      const nowMs = await nextFrame();
      deltasMs.push(nowMs - previousMs);
      // A frame counts as moving when the previous step scrolled: it is the frame that shows it.
      if (moving) movingDeltasMs.push(nowMs - previousMs);
      const maxTop = element.scrollHeight - element.clientHeight;
      const wantedTop = (options.speedPxPerS * (nowMs - startMs)) / 1000;
      if (wantedTop > maxTop) {
        waitingMs += nowMs - previousMs;
        // The whole-document query is the probe's own cost: at most every 100 ms.
        if (nowMs - lastEndCheckMs > 100) {
          lastEndCheckMs = nowMs;
          if (document.querySelector('[aria-label^="' + options.targetTileLabel + '"]')) break;
        }
      }
      previousMs = nowMs;
      const topBefore = element.scrollTop;
      element.scrollTop = Math.min(wantedTop, maxTop);
      moving = element.scrollTop !== topBefore;
      if (nowMs - startMs > options.maxMs) throw new Error('the fling did not reach ' + options.targetTileLabel + ' within ' + options.maxMs + ' ms');
    }
    return { deltasMs, movingDeltasMs, durationMs: previousMs - startMs, waitingAtEndMs: waitingMs, reactCommits: commits.count - commitsBefore, scrollHeightPx: element.scrollHeight };
  }

  function visibleImages(element) {
    const view = element.getBoundingClientRect();
    return [...element.querySelectorAll('img')].filter((image) => {
      const box = image.getBoundingClientRect();
      return image.getAttribute('src') && box.bottom > view.top && box.top < view.bottom && box.height > 0;
    });
  }

  async function jump(fraction) {
    const element = grid();
    const startMs = performance.now();
    element.scrollTop = Math.round((element.scrollHeight - element.clientHeight) * fraction);
    for (;;) {
      await nextFrame();
      const images = visibleImages(element);
      if (images.length > 0 && images.every((image) => image.complete && image.naturalWidth > 0)) {
        await Promise.all(images.map((image) => image.decode().catch(() => undefined)));
        const paintedMs = await nextFrame();
        return { latencyMs: paintedMs - startMs, images: images.length };
      }
      if (performance.now() - startMs > 30000) {
        const waiting = images.filter((image) => !(image.complete && image.naturalWidth > 0));
        throw new Error('thumbnails did not show within 30 s of a jump: ' + images.length + ' in view, ' + waiting.length + ' not shown, e.g. ' + (waiting[0] ? waiting[0].outerHTML.slice(0, 200) + ' complete=' + waiting[0].complete : 'none in view'));
      }
    }
  }

  async function countDomWrites(options) {
    const element = grid();
    // There first: the gallery asks for the next page once the view nears the end of what is loaded.
    element.scrollTop = options.startRows * options.rowPx;
    const startedMs = performance.now();
    while (element.scrollHeight < (options.startRows + options.rows + 10) * options.rowPx) {
      if (performance.now() - startedMs > 30000) throw new Error('the grid did not load ' + (options.startRows + options.rows + 10) + ' rows within 30 s (scroll height ' + element.scrollHeight + ' px)');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Past the gallery's 150 ms scroll-end reordering and any page still arriving.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await nextFrame();
    const counts = { rows: options.rows, attributes: 0, nodesAdded: 0, nodesRemoved: 0, textChanges: 0, attributesByName: {} };
    const tally = (records) => {
      for (const record of records) {
        if (record.type === 'attributes') {
          counts.attributes += 1;
          const name = record.target.localName + '[' + record.attributeName + ']';
          counts.attributesByName[name] = (counts.attributesByName[name] || 0) + 1;
        }
        else if (record.type === 'characterData') counts.textChanges += 1;
        else {
          counts.nodesAdded += record.addedNodes.length;
          counts.nodesRemoved += record.removedNodes.length;
        }
      }
    };
    const observer = new MutationObserver(tally);
    observer.observe(element, { subtree: true, attributes: true, childList: true, characterData: true });
    for (let step = 0; step < options.rows; step += 1) {
      element.scrollTop += options.rowPx;
      await nextFrame();
      await nextFrame();
    }
    // React renders the last step in a task after its frame: give it one more frame.
    await nextFrame();
    tally(observer.takeRecords());
    observer.disconnect();
    return counts;
  }

  const viewerLatenciesMs = [];
  function watchViewer() {
    window.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowRight') return;
      const startMs = event.timeStamp;
      const before = document.querySelector(viewerImageSelector);
      const beforeSource = before ? before.currentSrc || before.src : '';
      const check = async () => {
        const image = document.querySelector(viewerImageSelector);
        if (image && (image.currentSrc || image.src) !== beforeSource && image.complete && image.naturalWidth > 0) {
          await image.decode().catch(() => undefined);
          const paintedMs = await nextFrame();
          viewerLatenciesMs.push(paintedMs - startMs);
          return;
        }
        if (performance.now() - startMs > 30000) { viewerLatenciesMs.push(Number.NaN); return; }
        requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    }, true);
  }

  window.imagefleetBench = { fling, jump, countDomWrites, watchViewer, viewerLatenciesMs, commits };
})();
`;
