/**
 * The floor the gallery is measured against, in the same browser and run: a page with no
 * framework that shows the same thumbnails in a grid of the same geometry (columns, tile size,
 * gap, scroll box), adding the rows that come into view (two rows of overscan, as the gallery)
 * and removing those that leave, with plain DOM calls — about the least work any gallery that
 * virtualises must do to show those thumbnails — and a bare viewer that swaps one `<img>` to the next
 * full image on →, without prefetching. Served at the app's origin (the benchmark fulfils one
 * route with it), so its thumbnails come from the same server the same way.
 */
export interface FloorGeometry {
  columns: number;
  tilePx: number;
  gapPx: number;
  widthPx: number;
  heightPx: number;
}

export function galleryFloorPage(geometry: FloorGeometry, thumbUrls: readonly string[], imageUrls: readonly string[]): string {
  const data = JSON.stringify({ ...geometry, thumbUrls, imageUrls }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gallery floor</title>
<style>
  body { margin: 0; background: #0a0a0a; }
  #grid { position: relative; overflow-y: auto; contain: strict; margin: 8px; }
  .row { position: absolute; left: 0; top: 0; display: grid; width: 100%; }
  .cell { position: relative; contain: strict; height: 100%; border-radius: 8px; overflow: hidden; background: #171717; }
  .cell img { width: 100%; height: 100%; object-fit: cover; display: block; }
  #viewer { position: fixed; inset: 0; display: none; align-items: center; justify-content: center; background: #000; }
  #viewer img { max-width: 100%; max-height: 100%; object-fit: contain; }
</style></head>
<body>
<div id="grid" data-testid="image-grid" tabindex="-1"><div id="spacer"></div></div>
<div id="viewer" tabindex="0"><img data-testid="viewer-image" alt=""></div>
<script>
(() => {
  const data = ${data};
  const rowPx = data.tilePx + data.gapPx;
  const rowCount = Math.ceil(data.thumbUrls.length / data.columns);
  const grid = document.getElementById('grid');
  grid.style.width = data.widthPx + 'px';
  grid.style.height = data.heightPx + 'px';
  document.getElementById('spacer').style.height = rowCount * rowPx + 'px';
  const overscanRows = 2;
  const rows = new Map();
  const makeRow = (index) => {
    const row = document.createElement('div');
    row.className = 'row';
    row.style.height = data.tilePx + 'px';
    row.style.gap = data.gapPx + 'px';
    row.style.gridTemplateColumns = 'repeat(' + data.columns + ', minmax(0, 1fr))';
    row.style.transform = 'translateY(' + index * rowPx + 'px)';
    for (let column = 0; column < data.columns; column += 1) {
      const url = data.thumbUrls[index * data.columns + column];
      if (!url) break;
      const cell = document.createElement('div');
      cell.className = 'cell';
      const image = document.createElement('img');
      image.alt = '';
      image.decoding = 'async';
      image.src = url;
      cell.appendChild(image);
      row.appendChild(cell);
    }
    return row;
  };
  const render = () => {
    const first = Math.max(0, Math.floor(grid.scrollTop / rowPx) - overscanRows);
    const last = Math.min(rowCount - 1, Math.floor((grid.scrollTop + data.heightPx) / rowPx) + overscanRows);
    for (const [index, row] of rows) {
      if (index < first || index > last) {
        // As the gallery does: a thumbnail still loading gives up its request when its row leaves.
        for (const image of row.querySelectorAll('img')) if (!image.complete) image.removeAttribute('src');
        row.remove();
        rows.delete(index);
      }
    }
    for (let index = first; index <= last; index += 1) {
      if (rows.has(index)) continue;
      const row = makeRow(index);
      grid.appendChild(row);
      rows.set(index, row);
    }
  };
  grid.addEventListener('scroll', render, { passive: true });
  render();
  // The last tile's label, so the fling knows it reached the end (the gallery's tiles carry the same).
  const marker = document.createElement('span');
  marker.setAttribute('aria-label', 'Open image ' + data.thumbUrls.length + ': end');
  document.body.appendChild(marker);

  const viewer = document.getElementById('viewer');
  const picture = viewer.querySelector('img');
  let current = 0;
  window.openFloorViewer = (index) => {
    current = index;
    picture.src = data.imageUrls[current];
    viewer.style.display = 'flex';
    viewer.focus();
  };
  viewer.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowRight' && current < data.imageUrls.length - 1) { current += 1; picture.src = data.imageUrls[current]; }
    if (event.key === 'ArrowLeft' && current > 0) { current -= 1; picture.src = data.imageUrls[current]; }
  });
})();
</script>
</body></html>`;
}
