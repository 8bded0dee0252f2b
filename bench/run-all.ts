/**
 * `npm run bench`: runs the benchmarks one after another, each in its own Node process with
 * UV_THREADPOOL_SIZE=16, prints a summary table and writes docs/benchmarks.md with the machine, the
 * methods, the figures and the goals. Not part of `npm test`.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { apiFigureRows, apiScenarios, isApiBenchResult, withApiSections, type ApiBenchResult } from './support/api-bench.js';
import { renderBenchmarksDocument } from './support/benchmarks-document.js';
import type { BenchRun } from './support/bench-run.js';
import { figureRows } from './support/figure-rows.js';
import { isLearnedQuotaResult, learnedQuotaRows, type LearnedQuotaResult } from './support/learned-quota-rows.js';
import { machineLine } from './support/format-figures.js';
import { readMachineInfo } from './support/machine-info.js';
import { runScenarioProcess, scenarioThreadpoolSize } from './support/run-scenario-process.js';
import type { ScenarioResult } from './support/scenario-results.js';
import { renderSummaryTable } from './support/summary-table.js';
import { isStoreThroughputResult, storeThroughputFailedSection, storeThroughputScenarioName, withStoreThroughputSection, type StoreThroughputBenchResult } from './support/store-throughput-result.js';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const documentPath = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

/** Each scenario's script and the time after which it is stopped as hung (its expected time plus a wide margin). */
const scenarios = [
  { name: 'engine-overhead', script: 'engine-overhead.ts', timeoutMs: 4 * 60_000 },
  { name: 'quota-utilisation', script: 'quota-utilisation.ts', timeoutMs: 6 * 60_000 },
  { name: 'recovery', script: 'recovery.ts', timeoutMs: 4 * 60_000 },
  // Issue 18: the learned rate on the hidden-quota Gemini fake, beside the users' loop (7 minutes).
  { name: 'learned-quota', script: 'learned-quota.ts', timeoutMs: 10 * 60_000 },
  // The HTTP API's benchmarks (ZIP download, upload, status latency); they bring their own rows and sections.
  ...apiScenarios,
  // Several worker processes on one store, Postgres and SQLite side by side; brings its own rows and section.
  { name: storeThroughputScenarioName, script: 'store-throughput.ts', timeoutMs: 15 * 60_000 },
] as const;

async function main(): Promise<void> {
  const machine = await readMachineInfo();
  const startedAtMs = Date.now();
  console.log(`imagefleet benchmarks on ${machineLine(machine)}\n`);

  const run: BenchRun = {
    startedAt: new Date(startedAtMs).toISOString(),
    durationMs: 0,
    machine,
    threadpoolSize: scenarioThreadpoolSize,
    engineOverhead: undefined,
    quota: undefined,
    recovery: undefined,
    failures: [],
  };
  const apiResults: ApiBenchResult[] = [];
  let storeThroughput: StoreThroughputBenchResult | undefined;
  const learnedQuotaResults: LearnedQuotaResult[] = [];
  for (const scenario of scenarios) {
    console.log(`── ${scenario.name} ──`);
    let result: ScenarioResult | ApiBenchResult | LearnedQuotaResult;
    try {
      result = await runScenarioProcess({ scriptPath: fileURLToPath(new URL(scenario.script, import.meta.url)), cwd: repositoryRoot, timeoutMs: scenario.timeoutMs });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.error(`${scenario.name}: ${message}`);
      run.failures.push({ scenario: scenario.name, message });
      continue;
    }
    if (isStoreThroughputResult(result)) {
      storeThroughput = result;
      console.log('');
      continue;
    }
    if (isLearnedQuotaResult(result)) {
      learnedQuotaResults.push(result);
      console.log('');
      continue;
    }
    if (isApiBenchResult(result)) {
      apiResults.push(result);
      console.log('');
      continue;
    }
    if (result.scenario === 'engine-overhead') run.engineOverhead = result;
    else if (result.scenario === 'quota-utilisation') run.quota = result;
    else run.recovery = result;
    console.log('');
  }
  run.durationMs = Date.now() - startedAtMs;

  const storeThroughputFailure = run.failures.find((failure) => failure.scenario === storeThroughputScenarioName);
  const storeThroughputRows = storeThroughput?.rows ?? (storeThroughputFailure ? [{ benchmark: storeThroughputScenarioName, figure: 'scenario did not finish', value: storeThroughputFailure.message, goal: '—', verdict: 'missed' as const }] : []);
  const rows = [...figureRows(run), ...learnedQuotaResults.flatMap(learnedQuotaRows), ...apiFigureRows(apiResults, run.failures), ...storeThroughputRows];
  console.log(`\n${renderSummaryTable(rows, machineLine(machine))}\n`);
  const storeThroughputSection = storeThroughput?.section ?? storeThroughputFailedSection(storeThroughputFailure?.message ?? 'not run');
  await writeFile(documentPath, withStoreThroughputSection(withApiSections(renderBenchmarksDocument(run, rows), apiResults, run.failures), storeThroughputSection));
  console.log(`Wrote ${documentPath}`);
  if (rows.some((row) => row.verdict === 'missed')) console.log('Some goals were missed; see the table above and docs/benchmarks.md.');
  // A missed goal is a finding, not a crash; only a scenario that could not run fails the command.
  process.exitCode = run.failures.length > 0 ? 1 : 0;
}

await main();
