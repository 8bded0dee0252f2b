/**
 * Finds React's own script in a minified build, so that a CPU profile can say how long React
 * worked. React renders and commits in tasks and microtasks its own code enters — its scheduler's
 * `MessageChannel` task (an ordinary update, such as the virtualiser's scroll callback without
 * `flushSync`), the microtask in which it flushes synchronous updates (those set during a commit or
 * by `useSyncExternalStore`, as React Query's), and its event listeners — or under `flushSync`,
 * called from another script. Minification renames React's functions but not its scheduler's
 * exported `unstable_scheduleCallback` nor the `port1.onmessage` it assigns: the script holding both
 * is React's (a polyfill's `port1.onmessage` alone is not).
 */
import { isNamed, type CallFrame } from './cpu-profile-time-under.js';

/** The URL of the script among `scripts` that holds React's scheduler, or undefined. */
export function findReactScriptUrl(scripts: ReadonlyArray<{ url: string; source: string }>): string | undefined {
  return scripts.find(({ source }) => /\.port1\.onmessage\s*=/.test(source) && source.includes('unstable_scheduleCallback'))?.url;
}

/** Whether a sampled stack is React's work: a task or microtask entered in React's script, or anything under `flushSync`. */
export function isReactWork(stack: readonly CallFrame[], reactScriptUrl: string): boolean {
  return stack[0]?.url === reactScriptUrl || stack.some((frame) => isNamed(frame, 'flushSync'));
}
