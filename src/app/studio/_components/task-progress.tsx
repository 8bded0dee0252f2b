'use client';
/**
 * Live per-call progress for the feed's placeholders: `task.progress` events keyed by task id,
 * gathered and applied once per animation frame, so a burst of events costs one render.
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useLiveEvents } from '../../_lib/live-events.js';

const TaskProgressContext = createContext<ReadonlyMap<string, number>>(new Map());

export function TaskProgressProvider({ children }: { children: ReactNode }) {
  const [fractions, setFractions] = useState<ReadonlyMap<string, number>>(new Map());
  const pending = useRef(new Map<string, number>());
  const frame = useRef<number | undefined>(undefined);

  useLiveEvents((event) => {
    if (event.type !== 'task.progress' || event.taskId === null) return;
    const fraction = typeof event.payload.fraction === 'number' ? event.payload.fraction : undefined;
    if (fraction === undefined) return;
    pending.current.set(event.taskId, fraction);
    frame.current ??= requestAnimationFrame(() => {
      frame.current = undefined;
      const updates = pending.current;
      pending.current = new Map();
      setFractions((previous) => new Map([...previous, ...updates]));
    });
  });

  useEffect(
    () => () => {
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
    },
    [],
  );

  return <TaskProgressContext.Provider value={fractions}>{children}</TaskProgressContext.Provider>;
}

/** The latest live fraction 0..1 of a call, when an event reported one. */
export function useLiveTaskFraction(taskId: string): number | undefined {
  return useContext(TaskProgressContext).get(taskId);
}
