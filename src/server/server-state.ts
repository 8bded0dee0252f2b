/**
 * State the API keeps per fleet (not per module, so nothing exists before a fleet does and tests
 * with several fleets stay apart): the limiter of concurrent image imports, the count of open
 * event streams and the latest progress of running tasks. Created on first use.
 */
import { cpus } from 'node:os';
import type { Fleet } from '../fleet/create-fleet.js';
import { TaskProgressTracker } from './task-progress-tracker.js';

/** Most event streams open at once per process; more are answered 429. */
export const maxEventStreams = 200;

export interface ServerState {
  /** Decoding and re-encoding uploads is CPU- and memory-heavy: at most this many at once. */
  imports: Semaphore;
  /** Open `GET /api/events` streams. */
  eventStreams: number;
  /** Whether leftover upload files of an earlier run were removed. */
  uploadsSwept: boolean;
  /** Latest `task.progress` of this process's running tasks, for `GET /api/jobs/{id}/tasks`. */
  taskProgress: TaskProgressTracker;
}

const states = new WeakMap<Fleet, ServerState>();

export function serverState(fleet: Fleet): ServerState {
  let state = states.get(fleet);
  if (!state) {
    state = { imports: new Semaphore(Math.max(2, cpus().length)), eventStreams: 0, uploadsSwept: false, taskProgress: new TaskProgressTracker(fleet.engine) };
    states.set(fleet, state);
  }
  return state;
}

/** A counting semaphore: `run` waits for a free slot, first come first served. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly slots: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
