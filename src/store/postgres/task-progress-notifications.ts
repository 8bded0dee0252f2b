/**
 * `task.progress` between processes (issue 17): a `pg_notify` on its own channel, sent outside any
 * transaction (progress is never stored), with a tiny JSON payload naming the sending process so
 * it can skip its own. Best effort both ways: a lost or malformed notification is dropped.
 */
import type pg from 'pg';
import type { SharedTaskProgress } from '../../engine/ports.js';

/** The channel every sharing process notifies and listens on. */
export const taskProgressChannel = 'imagefleet_task_progress';

/** What travels in one notification: short keys keep it tiny (NOTIFY payloads are limited to 8000 bytes). */
interface ProgressPayload {
  /** Sending process (store instance) id. */
  p: string;
  /** Job id. */
  j: string;
  /** Task id. */
  t: string;
  /** Fraction done, 0..1. */
  f: number;
}

/** Sends one report to every listening process; never throws and never waits (the query runs on its own). */
export function notifyTaskProgress(pool: pg.Pool, processId: string, progress: SharedTaskProgress): void {
  const payload: ProgressPayload = { p: processId, j: progress.jobId, t: progress.taskId, f: progress.fraction };
  try {
    pool.query('SELECT pg_notify($1, $2)', [taskProgressChannel, JSON.stringify(payload)]).catch(() => undefined);
  } catch {
    // A closed pool throws synchronously on some paths; progress is never worth an error.
  }
}

/** The report in `payload`, or undefined when it is malformed or was sent by `ownProcessId`. */
export function readTaskProgress(payload: string | undefined, ownProcessId: string): SharedTaskProgress | undefined {
  if (payload === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { p, j, t, f } = parsed as Partial<Record<keyof ProgressPayload, unknown>>;
  if (typeof p !== 'string' || p === ownProcessId) return undefined;
  if (typeof j !== 'string' || j === '' || typeof t !== 'string' || t === '') return undefined;
  if (typeof f !== 'number' || !Number.isFinite(f)) return undefined;
  return { jobId: j, taskId: t, fraction: Math.min(1, Math.max(0, f)) };
}
