'use client';
/**
 * The prompts sent from the Studio, per group, most recent first (localStorage): a prompt that
 * worked last week is one click away instead of retyped. Only prompts that were submitted are kept.
 */
import { useCallback } from 'react';
import { useStoredState } from './use-stored-state.js';

/** Prompts kept per group. */
export const promptHistoryLength = 30;

function restoreHistory(stored: unknown): string[] | undefined {
  return Array.isArray(stored) && stored.every((entry) => typeof entry === 'string') ? stored.slice(0, promptHistoryLength) : undefined;
}

const noPrompts: string[] = [];

export function usePromptHistory(groupId: string | null): [readonly string[], (prompts: readonly string[]) => void] {
  const [history, setHistory] = useStoredState<string[]>(`imagefleet.studio.prompts.v1.${groupId ?? 'default'}`, noPrompts, restoreHistory);
  const remember = useCallback(
    (prompts: readonly string[]) =>
      setHistory((previous) => {
        const fresh = prompts.map((prompt) => prompt.trim()).filter((prompt) => prompt !== '');
        return [...new Set([...fresh, ...previous])].slice(0, promptHistoryLength);
      }),
    [setHistory],
  );
  return [history, remember];
}
