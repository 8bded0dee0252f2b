import type { BenchRun } from './bench-run.js';
import { formatDecimal, formatInteger, formatSeconds, formatShare } from './format-figures.js';
import { cpuCeiling } from './cpu-ceiling.js';

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
    rows.push({
      benchmark: 'engine overhead',
      figure: `planning a ${formatInteger(overhead.planning.tasks)}-task automatic spec (dry run)`,
      value: `${formatInteger(overhead.planning.medianMs)} ms (${formatInteger(overhead.planning.tasksPerSecond)} tasks/s)`,
      goal: 'side figure',
      verdict: 'info',
    });
  }
  const quota = run.quota;
  if (quota) {
    const window = `steady [${quota.engine.steady.startMs / 1000} s, ${quota.engine.steady.endMs / 1000} s)`;
    rows.push({
      benchmark: 'quota utilisation',
      figure: `engine: achieved ÷ N, ${window}`,
      value: formatDecimal(quota.engine.steady.ratio, 3),
      goal: `≥ ${quota.goalRatio}`,
      verdict: verdictOf(quota.engine.steady.ratio >= quota.goalRatio),
    });
    rows.push({
      benchmark: 'quota utilisation',
      figure: `engine: share of requests answered 429, ${window}`,
      value: formatShare(quota.engine.steady.rejectedShare),
      goal: `≤ ${formatShare(quota.goalRejectedShare, 0)}`,
      verdict: verdictOf(quota.engine.steady.rejectedShare <= quota.goalRejectedShare),
    });
    rows.push({ benchmark: 'quota utilisation', figure: `naive client: achieved ÷ N, ${window}`, value: formatDecimal(quota.naive.steady.ratio, 3), goal: 'comparison', verdict: 'info' });
    rows.push({ benchmark: 'quota utilisation', figure: `naive client: share answered 429, ${window}`, value: formatShare(quota.naive.steady.rejectedShare), goal: 'comparison', verdict: 'info' });
  }
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
