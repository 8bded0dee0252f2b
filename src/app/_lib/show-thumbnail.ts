/**
 * Shows a grid thumbnail: a new `<img>` made with plain DOM calls and put in `container`, which
 * React renders empty and so never touches. Returns what takes it away again.
 *
 * A grid tile shows image after image as the grid recycles its rows (decision 0046, amendments 2
 * and 3), and a new `<img>` per image keeps the previous picture from showing while the next one
 * loads. Made by React, each one also cost a fiber, its attributes written one `setAttribute` at a
 * time, two listeners (`load` and `error`, dispatched through React's event system for every
 * thumbnail that arrives) and a second write of its `src` when committed; made here it costs what
 * the benchmark's floor page pays. Its look comes from the container's stylesheet (`[&>img]:…`).
 */
export function showThumbnail(container: HTMLElement, url: string): () => void {
  const picture = document.createElement('img');
  picture.alt = '';
  picture.decoding = 'async';
  picture.src = url;
  container.append(picture);
  return () => {
    // Scrolled past before it arrived, it gives up the request: Chromium keeps loading a removed
    // <img> otherwise, and after a fling or a jump hundreds of those queue ahead of the thumbnails
    // now in view (issue 20).
    if (!picture.complete) picture.removeAttribute('src');
    picture.remove();
  };
}
