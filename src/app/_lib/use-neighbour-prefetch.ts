'use client';
/**
 * Loads and decodes the full images next to the one in the viewer before they are asked for, so
 * ← and → show the next picture in the next frame instead of after a download and a decode
 * (issue 20: 125–677 ms before, goal ≤ 100 ms p95). The images are held here until they are no
 * longer neighbours: an `Image` nobody references may be collected, and its decoded pixels with it.
 */
import { useEffect, useRef } from 'react';

/** Positions prefetched around the open one: two ahead (people mostly move forward), one back. */
const neighbourOffsets = [1, 2, -1] as const;

/** `images`: the viewer's list (only the neighbours of `index` are read); `index`: the open image, null when closed. */
export function useNeighbourPrefetch(images: ReadonlyArray<{ url: string }>, index: number | null): void {
  const held = useRef(new Map<string, HTMLImageElement>());
  const wanted = index === null ? [] : neighbourOffsets.map((offset) => images[index + offset]?.url).filter((url): url is string => url !== undefined);
  // A string key, so a re-render with the same neighbours (a favourite toggled, a page appended) does nothing.
  const wantedKey = wanted.join('\n');

  useEffect(() => {
    const urlsWanted = wantedKey === '' ? [] : wantedKey.split('\n');
    const loading = held.current;
    for (const url of [...loading.keys()]) {
      if (!urlsWanted.includes(url)) loading.delete(url);
    }
    for (const url of urlsWanted) {
      if (loading.has(url)) continue;
      const image = new Image();
      image.decoding = 'async';
      image.src = url;
      // decode() fetches and decodes off the main thread; a failure shows when the viewer gets there.
      image.decode().catch(() => undefined);
      loading.set(url, image);
    }
  }, [wantedKey]);

  useEffect(() => {
    const loading = held.current;
    return () => loading.clear();
  }, []);
}
