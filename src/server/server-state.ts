/**
 * State the API keeps per fleet (not per module, so nothing exists before a fleet does and tests
 * with several fleets stay apart): the limiter of concurrent image imports, the count of open
 * event streams and the latest progress of running tasks. Created on first use.
 */
import { cpus } from 'node:os';
import type { Fleet } from '../fleet/create-fleet.js';
import { EventFanOut } from './event-fan-out.js';
import { TaskProgressTracker } from './task-progress-tracker.js';

/**
 * Failed sign-ins allowed per `signInWindowMs` per process; more are answered 429 until the window
 * passes. The token is long enough that guessing is hopeless anyway; this keeps a guessing script
 * from burning CPU and filling the log. Bearer-token API calls are not affected.
 */
export const maxFailedSignIns = 20;
export const signInWindowMs = 60_000;

/** How often the events table is read when nothing woke the live streams (events of other processes), in ms. */
export const eventPollMs = 1000;

/**
 * Most event streams open at once per process; more are answered 429. Streams share one reader
 * (`EventFanOut`), so each costs a socket and a cursor; one client address may hold at most
 * `maxEventStreamsPerAddress` (front door) of them.
 */
export const maxEventStreams = 1000;

export interface ServerState {
  /** Decoding and re-encoding uploads is CPU- and memory-heavy: at most this many at once. */
  imports: Semaphore;
  /** Open `GET /api/events` streams. */
  eventStreams: number;
  /** Whether leftover upload files of an earlier run were removed. */
  uploadsSwept: boolean;
  /** When recent sign-ins failed (ms since the epoch), oldest first; pruned to `signInWindowMs`. */
  failedSignInsAtMs: number[];
  /** The one reader of the events table behind every live-event stream. */
  eventFanOut: EventFanOut;
  /** Latest `task.progress` of this process's running tasks, for `GET /api/jobs/{id}/tasks`. */
  taskProgress: TaskProgressTracker;
}

/**
 * Next's route bundle loads its own copy of this module, separate from the one `imagefleet serve`
 * loaded for the routes it answers before Next (downloads, uploads): the map lives on `globalThis`
 * so both share one state per fleet — one import limiter above all.
 */
const statesKey = Symbol.for('imagefleet.server-state');
const states: WeakMap<Fleet, ServerState> = ((globalThis as typeof globalThis & { [statesKey]?: WeakMap<Fleet, ServerState> })[statesKey] ??= new WeakMap());

export function serverState(fleet: Fleet): ServerState {
  let state = states.get(fleet);
  if (!state) {
    state = { imports: new Semaphore(Math.max(2, cpus().length)), eventStreams: 0, uploadsSwept: false, failedSignInsAtMs: [], eventFanOut: new EventFanOut(fleet, eventPollMs), taskProgress: new TaskProgressTracker(fleet.engine) };
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
