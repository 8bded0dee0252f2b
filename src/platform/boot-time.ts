/**
 * When the running operating system booted, in ms since the epoch. A file written since then
 * without fsync is whole for every reader until the OS goes down (the page cache holds it): only
 * files from an earlier boot can have been torn by a power cut or OS crash (decision 0048).
 */
import { uptime } from 'node:os';

/** Slack for the clock and uptime's whole-second reading: a file this close to the boot counts as older. */
const bootTimeSlackMs = 5_000;

/**
 * The boot time plus a few seconds of slack, so files from around the boot count as from before it.
 * Computed from the clock and the kernel's uptime on each call (both cheap).
 */
export function bootStartedAtMs(): number {
  return Date.now() - uptime() * 1000 + bootTimeSlackMs;
}
