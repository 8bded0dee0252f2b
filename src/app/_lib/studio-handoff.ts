'use client';
/**
 * "Use seed / prompt / all settings / as reference" for an image opened on the job page or in a
 * gallery: the change goes into the Studio's stored composer (localStorage, decision 0020) for the
 * image's group, and that group becomes the Studio's group, so "Open in Studio" shows exactly the
 * draft that was changed. Undo puts back what was stored before, byte for byte.
 */
import { draftStorageKey, restoreDrafts } from '../studio/_components/group-drafts.js';
import type { ReferenceDraft } from '../studio/_components/composer-draft.js';
import { defaultPreferences, preferencesStorageKey, restorePreferences, type StudioPreferences } from '../studio/_components/studio-preferences.js';

export interface StudioChange {
  preferences?: (previous: StudioPreferences) => StudioPreferences;
  drafts?: (previous: ReferenceDraft[]) => ReferenceDraft[];
}

function readJson(key: string): unknown {
  const text = window.localStorage.getItem(key);
  return text === null ? undefined : (JSON.parse(text) as unknown);
}

/**
 * Applies `change` to the stored Studio composer of `groupId`; returns a function that undoes it,
 * or throws when the browser keeps no storage (then nothing was changed).
 */
export function changeStudioDraft(groupId: string, change: StudioChange): () => void {
  const draftKey = draftStorageKey(groupId);
  const before = { preferences: window.localStorage.getItem(preferencesStorageKey), drafts: window.localStorage.getItem(draftKey) };
  const preferences = restorePreferences(readJson(preferencesStorageKey)) ?? defaultPreferences;
  const drafts = restoreDrafts(readJson(draftKey)) ?? [];
  const nextPreferences = { ...(change.preferences ? change.preferences(preferences) : preferences), groupId };
  const nextDrafts = change.drafts ? change.drafts(drafts) : drafts;
  window.localStorage.setItem(preferencesStorageKey, JSON.stringify(nextPreferences));
  if (nextDrafts.length === 0) window.localStorage.removeItem(draftKey);
  else window.localStorage.setItem(draftKey, JSON.stringify(nextDrafts));
  return () => {
    const put = (key: string, text: string | null) => (text === null ? window.localStorage.removeItem(key) : window.localStorage.setItem(key, text));
    put(preferencesStorageKey, before.preferences);
    put(draftKey, before.drafts);
  };
}
