/**
 * What a setback writes to its task and which event reports it: the one rule both store adapters
 * apply inside the fenced update (DESIGN §5.4). A retry requeues the task for later and counts an
 * attempt only when the failure was the task's own (not a rate limit or pause); an end finishes it
 * as `failed` or `blocked`, always counting the attempt, and may close the job.
 */
import type { DomainEventOf } from '../../core/events.js';
import type { TaskSetback } from '../ports/task-queue.js';

/** The task columns a setback sets (besides clearing the lease), in domain terms. */
export interface SetbackWrite {
  status: 'queued' | 'failed' | 'blocked';
  /** When a requeued task may run again, epoch ms; undefined for an end. */
  availableAtMs: number | undefined;
  /** Whether `attempts` goes up by one. */
  addsAttempt: boolean;
  /** Whether the task is finished (its finish time is set and the job may close). */
  finishes: boolean;
  errorCode: string;
  message: string;
}

export function decideSetbackWrite(setback: TaskSetback): SetbackWrite {
  const { errorCode, message } = setback;
  if (setback.kind === 'retry') return { status: 'queued', availableAtMs: setback.availableAtMs, addsAttempt: setback.countsAsAttempt, finishes: false, errorCode, message };
  return { status: setback.status, availableAtMs: undefined, addsAttempt: true, finishes: true, errorCode, message };
}

/** The event that reports a setback, given the task's attempt count after the write. */
export function setbackEvent(setback: TaskSetback, attemptsAfter: number): Pick<DomainEventOf<'task.retrying'>, 'type' | 'payload'> | Pick<DomainEventOf<'task.failed'>, 'type' | 'payload'> {
  if (setback.kind === 'retry') {
    return { type: 'task.retrying', payload: { errorCode: setback.errorCode, message: setback.message, availableAtMs: setback.availableAtMs, attempts: attemptsAfter } };
  }
  return { type: 'task.failed', payload: { status: setback.status, errorCode: setback.errorCode, message: setback.message } };
}
