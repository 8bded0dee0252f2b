import type { EngineOverheadResult } from './scenario-results.js';
import { median } from './statistics.js';

/** Engine ÷ durable floor, as medians of the round-by-round ratios (each pair ran back to back). */
export interface FloorComparison {
  /** Engine CPU per task ÷ floor CPU per task, all threads. */
  processCpuRatio: number;
  /** The same for the main thread alone; undefined without /proc. */
  mainThreadCpuRatio: number | undefined;
  /** Engine tasks/s ÷ floor tasks/s. */
  tasksPerSecondRatio: number;
}

/** Undefined for results without floor rounds (from before issue 20). */
export function compareWithFloor(result: EngineOverheadResult): FloorComparison | undefined {
  const pairs = (result.floorRounds ?? []).flatMap((floor, index) => {
    const engine = result.rounds[index];
    return engine ? [{ engine, floor }] : [];
  });
  if (pairs.length === 0) return undefined;
  const mainRatios = pairs.map(({ engine, floor }) => (engine.mainThreadCpuPerTaskMs === undefined || floor.mainThreadCpuPerTaskMs === undefined ? undefined : engine.mainThreadCpuPerTaskMs / floor.mainThreadCpuPerTaskMs));
  return {
    processCpuRatio: median(pairs.map(({ engine, floor }) => engine.processCpuPerTaskMs / floor.processCpuPerTaskMs)),
    mainThreadCpuRatio: mainRatios.some((ratio) => ratio === undefined) ? undefined : median(mainRatios as number[]),
    tasksPerSecondRatio: median(pairs.map(({ engine, floor }) => engine.tasksPerSecond / floor.tasksPerSecond)),
  };
}
