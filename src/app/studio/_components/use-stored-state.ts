'use client';
/**
 * State that survives visits (localStorage). It starts at `initial` on the server and in the first
 * client render — so hydration matches — and takes the stored value right after mounting. A stored
 * value that `restore` rejects (an older shape, hand-edited storage) is ignored, not trusted.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export function useStoredState<T>(storageKey: string, initial: T, restore: (stored: unknown) => T | undefined): [T, (next: T | ((previous: T) => T)) => void, boolean] {
  const [value, setValue] = useState(initial);
  const [loaded, setLoaded] = useState(false);
  const restoreRef = useRef(restore);
  restoreRef.current = restore;

  useEffect(() => {
    try {
      const text = window.localStorage.getItem(storageKey);
      if (text !== null) {
        const restored = restoreRef.current(JSON.parse(text) as unknown);
        if (restored !== undefined) setValue(restored);
      }
    } catch {
      // Storage disabled or unreadable: keep the defaults.
    }
    setLoaded(true);
  }, [storageKey]);

  useEffect(() => {
    if (!loaded) return;
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(value));
    } catch {
      // Full or disabled storage: the setting just does not persist.
    }
  }, [storageKey, value, loaded]);

  const update = useCallback((next: T | ((previous: T) => T)) => setValue(next), []);
  return [value, update, loaded];
}
