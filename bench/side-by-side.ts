/**
 * Runs one benchmark script in two checkouts, alternating, so both see the same machine load (these
 * machines are shared and noisy: a figure means something only beside its peer measured in the same
 * run). Used to show a change is not slower than the code before it:
 *
 *   git worktree add --detach ../baseline <commit> && (cd ../baseline && npm ci)
 *   node --import tsx bench/side-by-side.ts --baseline ../baseline [--script engine-overhead.ts] [--runs 4]
 *
 * Prints one line per run and the medians and ratios (this checkout ÷ baseline) of the script's
 * JSON figures it knows: tasks per second and CPU per task for `engine-overhead.ts`.
 */
import { spawn } from 'node:child_process';
import { loadavg, cpus } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './support/statistics.js';

interface RunFigures {
  tree: 'baseline' | 'current';
  tasksPerSecond: number;
  mainThreadCpuPerTaskMs: number;
  processCpuPerTaskMs: number;
  loadAverage: number;
}

const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    script: { type: 'string', default: 'engine-overhead.ts' },
    runs: { type: 'string', default: '4' },
  },
});
if (values.baseline === undefined) {
  console.error('Give the baseline checkout: --baseline <directory> (a git worktree of the commit to compare with, after npm ci).');
  process.exit(2);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
  console.error(`--runs must be a whole number from 1 to 50, not "${values.runs}".`);
  process.exit(2);
}
const trees = { baseline: path.resolve(values.baseline), current: path.resolve(import.meta.dirname, '..') };

function runScript(directory: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', values.script)], { cwd: directory, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${values.script} in ${directory} exited with ${code}`))));
  });
}

/** The figures of one engine-overhead run: the medians of its timed rounds. */
function figuresOf(tree: RunFigures['tree'], output: string): RunFigures {
  const result = JSON.parse(output.slice(output.indexOf('{'))) as {
    rounds: Array<{ tasksPerSecond: number; mainThreadCpuPerTaskMs?: number; processCpuPerTaskMs: number; loadAverageAtStart: number }>;
  };
  const rounds = result.rounds;
  return {
    tree,
    tasksPerSecond: median(rounds.map((round) => round.tasksPerSecond)),
    mainThreadCpuPerTaskMs: median(rounds.map((round) => round.mainThreadCpuPerTaskMs ?? Number.NaN)),
    processCpuPerTaskMs: median(rounds.map((round) => round.processCpuPerTaskMs)),
    loadAverage: median(rounds.map((round) => round.loadAverageAtStart)),
  };
}

console.log(`side by side: ${values.script}, ${runs} runs each, alternating; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(2)}`);
console.log(`  baseline ${trees.baseline}\n  current  ${trees.current}`);
const all: RunFigures[] = [];
for (let run = 1; run <= runs; run += 1) {
  // Alternate which goes first, so neither always runs right after the other warmed the disk cache.
  const order: Array<RunFigures['tree']> = run % 2 === 1 ? ['baseline', 'current'] : ['current', 'baseline'];
  for (const tree of order) {
    const figures = figuresOf(tree, await runScript(trees[tree]));
    all.push(figures);
    console.log(
      `  run ${run} ${tree.padEnd(8)} ${figures.tasksPerSecond.toFixed(0).padStart(5)} tasks/s, main thread ${figures.mainThreadCpuPerTaskMs.toFixed(3)} ms/task, all threads ${figures.processCpuPerTaskMs.toFixed(3)} ms/task, load ${figures.loadAverage.toFixed(2)}`,
    );
  }
}
const summary = (tree: RunFigures['tree']) => {
  const mine = all.filter((figures) => figures.tree === tree);
  return {
    tasksPerSecond: median(mine.map((figures) => figures.tasksPerSecond)),
    mainThreadCpuPerTaskMs: median(mine.map((figures) => figures.mainThreadCpuPerTaskMs)),
    processCpuPerTaskMs: median(mine.map((figures) => figures.processCpuPerTaskMs)),
  };
};
const baseline = summary('baseline');
const current = summary('current');
console.log(
  JSON.stringify(
    {
      scenario: 'side-by-side',
      script: values.script,
      runs,
      baseline,
      current,
      ratios: {
        tasksPerSecond: current.tasksPerSecond / baseline.tasksPerSecond,
        mainThreadCpuPerTaskMs: current.mainThreadCpuPerTaskMs / baseline.mainThreadCpuPerTaskMs,
        processCpuPerTaskMs: current.processCpuPerTaskMs / baseline.processCpuPerTaskMs,
      },
    },
    null,
    2,
  ),
);
