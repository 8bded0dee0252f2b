/**
 * Issue 17: progress leaves the process at most once per task per interval, the newest held-back
 * value is sent when the window ends, and a finished task's fraction 1 is sent at once.
 */
import { describe, expect, it } from 'vitest';
import type { SharedTaskProgress } from '../../src/engine/ports.js';
import { ProgressShareThrottle } from '../../src/engine/progress-sharing.js';
import { ManualClock } from '../support/manual-clock.js';

/** Lets the promise callbacks of woken sleepers run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function progress(taskId: string, fraction: number): SharedTaskProgress {
  return { jobId: 'job-1', taskId, fraction };
}

function newThrottle() {
  const clock = new ManualClock();
  const sent: SharedTaskProgress[] = [];
  const throttle = new ProgressShareThrottle(clock, (report) => sent.push(report), 250);
  return { clock, sent, throttle };
}

describe('ProgressShareThrottle', () => {
  it('sends the first report at once and only the newest of a window when it ends', async () => {
    const { clock, sent, throttle } = newThrottle();
    throttle.offer(progress('task-a', 0.1));
    throttle.offer(progress('task-a', 0.2));
    throttle.offer(progress('task-a', 0.3));
    expect(sent).toEqual([progress('task-a', 0.1)]);

    clock.advance(249);
    await settle();
    expect(sent).toHaveLength(1);

    clock.advance(1);
    await settle();
    expect(sent).toEqual([progress('task-a', 0.1), progress('task-a', 0.3)]);

    // Sending the held-back value opened a new window: the next one waits again.
    throttle.offer(progress('task-a', 0.4));
    expect(sent).toHaveLength(2);
    clock.advance(250);
    await settle();
    expect(sent.at(-1)).toEqual(progress('task-a', 0.4));
  });

  it('sends fraction 1 at once, drops what was held back, and keeps nothing for a quiet task', async () => {
    const { clock, sent, throttle } = newThrottle();
    throttle.offer(progress('task-a', 0.5));
    throttle.offer(progress('task-a', 0.9));
    throttle.offer(progress('task-a', 1));
    expect(sent).toEqual([progress('task-a', 0.5), progress('task-a', 1)]);
    expect(throttle.openWindowCount).toBe(0);

    clock.advance(1000);
    await settle();
    // The superseded 0.9 never follows the final value.
    expect(sent).toEqual([progress('task-a', 0.5), progress('task-a', 1)]);

    throttle.offer(progress('task-b', 0.2));
    expect(throttle.openWindowCount).toBe(1);
    clock.advance(250);
    await settle();
    expect(throttle.openWindowCount).toBe(0);
    expect(sent.at(-1)).toEqual(progress('task-b', 0.2));
  });

  it('throttles each task on its own', () => {
    const { sent, throttle } = newThrottle();
    throttle.offer(progress('task-a', 0.1));
    throttle.offer(progress('task-b', 0.1));
    throttle.offer(progress('task-a', 0.2));
    expect(sent).toEqual([progress('task-a', 0.1), progress('task-b', 0.1)]);
  });

  it('sends nothing held back after close', async () => {
    const { clock, sent, throttle } = newThrottle();
    throttle.offer(progress('task-a', 0.1));
    throttle.offer(progress('task-a', 0.2));
    throttle.close();
    clock.advance(250);
    await settle();
    throttle.offer(progress('task-a', 1));
    expect(sent).toEqual([progress('task-a', 0.1)]);
  });
});
