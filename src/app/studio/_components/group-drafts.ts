'use client';
/**
 * The composer's work kept per group (localStorage): references, masks, prompts and counts survive
 * a reload, a visit to another page and a switch to another group and back, and follow along in
 * other tabs (the `storage` event). A stored value that does not have the expected shape is
 * ignored, never trusted.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PromptDraft, ReferenceDraft, ReferenceImage } from './composer-draft.js';

const storagePrefix = 'imagefleet.studio.draft.v1.';

export function draftStorageKey(groupId: string | null): string {
  return `${storagePrefix}${groupId ?? 'default'}`;
}

export function restoreDrafts(stored: unknown): ReferenceDraft[] | undefined {
  if (!Array.isArray(stored)) return undefined;
  const drafts: ReferenceDraft[] = [];
  for (const entry of stored as unknown[]) {
    if (typeof entry !== 'object' || entry === null) return undefined;
    const record = entry as Record<string, unknown>;
    const reference = restoreReference(record.reference);
    const mask = restoreMask(record.mask);
    if (typeof record.key !== 'string' || reference === undefined || mask === undefined || !Array.isArray(record.prompts)) return undefined;
    const prompts: PromptDraft[] = [];
    for (const prompt of record.prompts as unknown[]) {
      if (typeof prompt !== 'object' || prompt === null) return undefined;
      const { key, text, countText } = prompt as Record<string, unknown>;
      if (typeof key !== 'string' || typeof text !== 'string' || typeof countText !== 'string') return undefined;
      prompts.push({ key, text, countText });
    }
    drafts.push({ key: record.key, reference, mask, prompts });
  }
  return drafts;
}

function restoreReference(value: unknown): ReferenceImage | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'object' || value === undefined) return undefined;
  const { id, name, url, thumbUrl } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof name === 'string' && typeof url === 'string' && typeof thumbUrl === 'string' ? { id, name, url, thumbUrl } : undefined;
}

function restoreMask(value: unknown): ReferenceDraft['mask'] | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return undefined;
  const { id, previewUrl } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof previewUrl === 'string' ? { id, previewUrl } : undefined;
}

function readDrafts(storageKey: string): ReferenceDraft[] {
  try {
    const text = window.localStorage.getItem(storageKey);
    return text === null ? [] : (restoreDrafts(JSON.parse(text) as unknown) ?? []);
  } catch {
    return [];
  }
}

/**
 * The drafts of `groupId`. Starts empty on the server and in the first client render (hydration
 * matches), then takes the stored drafts; every change is stored at once.
 */
export function useGroupDrafts(groupId: string | null, ready: boolean): [ReferenceDraft[], (update: (previous: ReferenceDraft[]) => ReferenceDraft[]) => void] {
  const storageKey = draftStorageKey(groupId);
  const [state, setState] = useState<{ key: string | null; drafts: ReferenceDraft[] }>({ key: null, drafts: [] });
  const keyRef = useRef(storageKey);
  keyRef.current = storageKey;

  useEffect(() => {
    // Until the remembered group is known, the drafts of "no group" would be shown by mistake.
    if (!ready) return;
    setState({ key: storageKey, drafts: readDrafts(storageKey) });
    const onStorage = (event: StorageEvent) => {
      if (event.key === storageKey) setState({ key: storageKey, drafts: readDrafts(storageKey) });
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [storageKey, ready]);

  const update = useCallback((change: (previous: ReferenceDraft[]) => ReferenceDraft[]) => {
    setState((previous) => {
      if (previous.key !== keyRef.current) return previous;
      const drafts = change(previous.drafts);
      try {
        if (drafts.length === 0) window.localStorage.removeItem(previous.key);
        else window.localStorage.setItem(previous.key, JSON.stringify(drafts));
      } catch {
        // Full or disabled storage: the draft just does not persist.
      }
      return { key: previous.key, drafts };
    });
  }, []);

  return [state.key === storageKey ? state.drafts : [], update];
}

/**
 * Moves the draft kept for `fromGroupId` to `toGroupId` when that one has none: a first submit
 * without a group lands in the Default group, which the Studio then shows — the work goes along.
 */
export function moveDraft(fromGroupId: string | null, toGroupId: string): void {
  try {
    const from = draftStorageKey(fromGroupId);
    const to = draftStorageKey(toGroupId);
    const text = window.localStorage.getItem(from);
    if (text === null || window.localStorage.getItem(to) !== null) return;
    window.localStorage.setItem(to, text);
    window.localStorage.removeItem(from);
  } catch {
    // Storage disabled: nothing was kept to move.
  }
}
