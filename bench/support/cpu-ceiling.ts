import type { EngineOverheadRound } from './scenario-results.js';
import { median } from './statistics.js';

export interface CpuCeiling {
  mainThreadCpuPerTaskMs: number;
  processCpuPerTaskMs: number;
  /** The lower of: one core's worth of main-thread work, and every core's worth of all-thread work; tasks/s. */
  tasksPerSecond: number;
}

/**
 * What the measured CPU cost per task allows on an otherwise idle machine with `cores` cores: the
 * main thread can use at most one core, all threads together at most all of them. An upper bound
 * estimate for a shared machine (it ignores I/O waits and scheduling), never a measurement; the
 * medians of the rounds are used. Undefined when the main thread's CPU time was not available.
 */
export function cpuCeiling(rounds: readonly EngineOverheadRound[], cores: number): CpuCeiling | undefined {
  const mainThread = rounds.map((round) => round.mainThreadCpuPerTaskMs);
  if (mainThread.some((value) => value === undefined) || rounds.length === 0) return undefined;
  const mainThreadCpuPerTaskMs = median(mainThread as number[]);
  const processCpuPerTaskMs = median(rounds.map((round) => round.processCpuPerTaskMs));
  return {
    mainThreadCpuPerTaskMs,
    processCpuPerTaskMs,
    tasksPerSecond: Math.min(1000 / mainThreadCpuPerTaskMs, (cores * 1000) / processCpuPerTaskMs),
  };
}
