/** Cancels one queued or running task (one set of a studio batch); its call, when running in this process, is aborted at once. */
import type { TaskCancellation } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface CancelTaskInput {
  /** The task (one provider call) to cancel. */
  taskId: string;
}

/** `not_found` for an unknown task, `conflict` for one that already finished otherwise. */
export function cancelTask(input: CancelTaskInput, dependencies: Pick<OperationDependencies, 'engine'>): Promise<TaskCancellation> {
  // Through the engine: it aborts the call in flight here and reports the cancel as an event.
  return dependencies.engine.cancelTask(input.taskId);
}
