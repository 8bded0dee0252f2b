import type { FigureRow } from './figure-rows.js';

const verdictLabels = { met: 'met', missed: 'MISSED', info: '' } as const;

/** The console summary: one aligned line per headline figure. */
export function renderSummaryTable(rows: readonly FigureRow[], machine: string): string {
  const header = { benchmark: 'benchmark', figure: 'figure', value: 'result', goal: 'goal', verdict: '' };
  const cells = [header, ...rows.map((row) => ({ ...row, verdict: verdictLabels[row.verdict] }))];
  const widths = {
    benchmark: Math.max(...cells.map((cell) => cell.benchmark.length)),
    figure: Math.max(...cells.map((cell) => cell.figure.length)),
    value: Math.max(...cells.map((cell) => cell.value.length)),
    goal: Math.max(...cells.map((cell) => cell.goal.length)),
  };
  const line = (cell: (typeof cells)[number]): string =>
    [cell.benchmark.padEnd(widths.benchmark), cell.figure.padEnd(widths.figure), cell.value.padEnd(widths.value), cell.goal.padEnd(widths.goal), cell.verdict].join('  ').trimEnd();
  const rule = '-'.repeat(widths.benchmark + widths.figure + widths.value + widths.goal + 8 + 6);
  return [`machine: ${machine}`, rule, line(header), rule, ...rows.map((_row, index) => line(cells[index + 1]!)), rule].join('\n');
}
