import { wait } from '../platform/wait.js';
import type { Clock } from './ports.js';

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: wait,
};
