import type { BenchRun } from './bench-run.js';
import type { QuotaUtilisationResult } from './scenario-results.js';
import { formatDecimal, formatInteger, formatSeconds, formatShare } from './format-figures.js';
import { cpuCeiling } from './cpu-ceiling.js';
import { compareWithFloor } from './floor-comparison.js';

export type Verdict = 'met' | 'missed' | 'info';

/** One headline figure with its goal: a line of the console summary and of the document's summary table. */
export interface FigureRow {
  benchmark: string;
  figure: string;
  value: string;
  goal: string;
  verdict: Verdict;
}

const verdictOf = (met: boolean): Verdict => (met ? 'met' : 'missed');

/** The headline figures of a run, goals checked. A scenario that failed gives one "missed" row saying so. */
export function figureRows(run: BenchRun): FigureRow[] {
  const rows: FigureRow[] = [];
  const overhead = run.engineOverhead;
  if (overhead) {
    rows.push({
      benchmark: 'engine overhead',
      figure: `tasks/s end to end, median of ${overhead.rounds.length} × ${formatInteger(overhead.tasksPerRound)}`,
      value: `${formatInteger(overhead.medianTasksPerSecond)} (rounds ${overhead.rounds.map((round) => formatInteger(round.tasksPerSecond)).join(', ')})`,
      goal: `≥ ${overhead.goalTasksPerSecond}`,
      verdict: verdictOf(overhead.medianTasksPerSecond >= overhead.goalTasksPerSecond),
    });
    const ceiling = cpuCeiling(overhead.rounds, run.machine.availableCores);
    if (ceiling) {
      rows.push({
        benchmark: 'engine overhead',
        figure: `CPU per task, main thread / all threads → idle ${run.machine.availableCores}-core ceiling`,
        value: `${formatDecimal(ceiling.mainThreadCpuPerTaskMs, 2)} / ${formatDecimal(ceiling.processCpuPerTaskMs, 2)} ms → ~${formatInteger(ceiling.tasksPerSecond)} tasks/s (estimate)`,
        goal: 'informative',
        verdict: 'info',
      });
    }
    const floor = compareWithFloor(overhead);
    if (floor) {
      const goalRatio = overhead.goalCpuRatioToFloor ?? 1.5;
      rows.push({
        benchmark: 'engine overhead',
        figure: 'engine ÷ durable floor (same run): CPU per task, all threads (main thread); tasks/s',
        value: `${formatDecimal(floor.processCpuRatio, 2)}× (${floor.mainThreadCpuRatio === undefined ? 'n/a' : `${formatDecimal(floor.mainThreadCpuRatio, 2)}×`}); ${formatDecimal(floor.tasksPerSecondRatio, 2)}× (floor ${formatInteger(overhead.medianFloorTasksPerSecond ?? 0)} tasks/s)`,
        goal: `CPU ≤ ${formatDecimal(goalRatio, 1)}×`,
        verdict: verdictOf(floor.processCpuRatio <= goalRatio),
      });
    }
    rows.push({
      benchmark: 'engine overhead',
      figure: `planning a ${formatInteger(overhead.planning.tasks)}-task automatic spec (dry run)`,
      value: `${formatInteger(overhead.planning.medianMs)} ms (${formatInteger(overhead.planning.tasksPerSecond)} tasks/s)`,
      goal: 'side figure',
      verdict: 'info',
    });
  }
  const quota = run.quota;
  if (quota) rows.push(...quotaRows(quota));
  const recovery = run.recovery;
  if (recovery) {
    rows.push({
      benchmark: 'recovery',
      figure: `tasks lost (not completed) after ${recovery.kills.length} × SIGKILL`,
      value: recovery.tasksLost === 0 ? '0' : `${recovery.tasksLost} (${Object.entries(recovery.statusCounts).map(([status, count]) => `${status} ${count}`).join(', ')})`,
      goal: '0',
      verdict: verdictOf(recovery.tasksLost === 0),
    });
    rows.push({
      benchmark: 'recovery',
      figure: 'duplicate outputs: extra files / extra image rows',
      value: `${recovery.duplicateOutputFiles} / ${recovery.duplicateImageRows}`,
      goal: '0 / 0',
      verdict: verdictOf(recovery.duplicateOutputFiles === 0 && recovery.duplicateImageRows === 0),
    });
    rows.push({
      benchmark: 'recovery',
      figure: 'provider calls after the task’s completion was committed',
      value: String(recovery.callsAfterCompletion),
      goal: '0',
      verdict: verdictOf(recovery.callsAfterCompletion === 0),
    });
    rows.push({
      benchmark: 'recovery',
      figure: 'outputs (and thumbnails) that do not decode / are missing',
      value: `${recovery.undecodableOutputs + recovery.undecodableThumbnails} / ${recovery.missingOutputFiles} of ${recovery.outputsChecked}`,
      goal: '0 / 0',
      verdict: verdictOf(recovery.undecodableOutputs + recovery.undecodableThumbnails + recovery.missingOutputFiles === 0 && recovery.outputsChecked === recovery.tasks),
    });
    rows.push({
      benchmark: 'recovery',
      figure: 'calls repeated for tasks in flight at a kill',
      value: `${recovery.repeatedCalls} (${recovery.tasksCalledMoreThanOnce} tasks; ${recovery.unexplainedRepeats} not explained by a kill)`,
      goal: 'informative (> 0 expected)',
      verdict: recovery.unexplainedRepeats === 0 ? 'info' : 'missed',
    });
    const slowest = Math.max(...recovery.kills.map((kill) => kill.recoveredWithinMs ?? Number.POSITIVE_INFINITY));
    rows.push({
      benchmark: 'recovery',
      figure: `slowest recovery after a kill (lease ${formatSeconds(recovery.leaseMs, 0)})`,
      value: Number.isFinite(slowest) ? formatSeconds(slowest) : 'some never finished',
      goal: 'informative',
      verdict: 'info',
    });
  }
  for (const failure of run.failures) rows.push({ benchmark: failure.scenario, figure: 'scenario did not finish', value: failure.message, goal: 'a result', verdict: 'missed' });
  return rows;
}

/**
 * The quota benchmark's rows: first the Gemini round (the headline: the real provider against the
 * Gemini fake), then the generic round's engine and naive client (the side-by-side comparison).
 */
export function quotaRows(quota: QuotaUtilisationResult): FigureRow[] {
  const window = `steady [${quota.engine.steady.startMs / 1000} s, ${quota.engine.steady.endMs / 1000} s)`;
  const gemini = quota.gemini;
  const benchmark = 'quota utilisation';
  const billedMatches = gemini.billedCalls === gemini.tasksCompleted && gemini.imageRows === gemini.tasksCompleted;
  const failed = (gemini.statusCounts.failed ?? 0) + (gemini.statusCounts.blocked ?? 0);
  return [
    {
      benchmark,
      figure: `Gemini (real provider → Gemini fake): achieved ÷ N, ${window}`,
      value: `${formatDecimal(gemini.steady.ratio, 3)} (${formatDecimal(gemini.steady.acceptedPerMinute, 1)} of ${gemini.requestsPerMinute}/min)`,
      goal: `≥ ${quota.goalRatio}`,
      verdict: verdictOf(gemini.steady.ratio >= quota.goalRatio),
    },
    {
      benchmark,
      figure: `Gemini: 429s the fake returned, ${window} (whole scenario)`,
      value: `${gemini.steady.rejected} of ${gemini.steady.requests} = ${formatShare(gemini.steady.rejectedShare)} (${gemini.rateLimited} of ${gemini.calls})`,
      goal: `≤ ${formatShare(quota.goalRejectedShare, 0)}`,
      verdict: verdictOf(gemini.steady.rejectedShare <= quota.goalRejectedShare),
    },
    {
      benchmark,
      figure: 'Gemini: calls sent before the announced retry delay',
      value: String(gemini.earlyRequests),
      goal: '0',
      verdict: verdictOf(gemini.earlyRequests === 0),
    },
    {
      benchmark,
      figure: 'Gemini: billed calls = tasks completed = image rows; tasks failed',
      value: `${gemini.billedCalls} / ${gemini.tasksCompleted} / ${gemini.imageRows}; ${failed} failed`,
      goal: 'all equal; 0 failed',
      verdict: verdictOf(billedMatches && failed === 0 && gemini.otherReplies === 0),
    },
    {
      benchmark,
      figure: `generic fake, engine: achieved ÷ N, ${window}`,
      value: formatDecimal(quota.engine.steady.ratio, 3),
      goal: `≥ ${quota.goalRatio}`,
      verdict: verdictOf(quota.engine.steady.ratio >= quota.goalRatio),
    },
    {
      benchmark,
      figure: `generic fake, engine: share of requests answered 429, ${window}`,
      value: formatShare(quota.engine.steady.rejectedShare),
      goal: `≤ ${formatShare(quota.goalRejectedShare, 0)}`,
      verdict: verdictOf(quota.engine.steady.rejectedShare <= quota.goalRejectedShare),
    },
    { benchmark, figure: `generic fake, naive client: achieved ÷ N, ${window}`, value: formatDecimal(quota.naive.steady.ratio, 3), goal: 'comparison', verdict: 'info' },
    { benchmark, figure: `generic fake, naive client: share answered 429, ${window}`, value: formatShare(quota.naive.steady.rejectedShare), goal: 'comparison', verdict: 'info' },
  ];
}
