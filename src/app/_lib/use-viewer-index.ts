'use client';
/**
 * Which image the viewer shows, and where the grid behind it should scroll. The grid follows the
 * viewer only when it closes: following on every ← / → rendered new rows under the dialog, whose
 * thumbnails then competed with the next full image for the browser's connections (issue 20).
 */
import { useCallback, useState } from 'react';

export interface ViewerIndex {
  /** The open image's index; null when the viewer is closed. */
  viewerIndex: number | null;
  setViewerIndex: (index: number | null) => void;
  /** For the grid's `scrollToIndex`: the last image viewed, once the viewer is closed; else undefined. */
  gridScrollIndex: number | undefined;
}

export function useViewerIndex(): ViewerIndex {
  const [viewerIndex, setIndex] = useState<number | null>(null);
  const [lastViewedIndex, setLastViewedIndex] = useState<number | undefined>(undefined);
  const setViewerIndex = useCallback((index: number | null) => {
    setIndex(index);
    if (index !== null) setLastViewedIndex(index);
  }, []);
  return { viewerIndex, setViewerIndex, gridScrollIndex: viewerIndex === null ? lastViewedIndex : undefined };
}
