/**
 * Shared by the HTTP API benchmarks (zip-download, upload, status-latency): their result shape —
 * headline rows for the summary table plus their own document section, so `run-all` needs no
 * per-scenario code for them — the serve process they measure, and memory sampling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FigureRow } from './figure-rows.js';
import { resultFileVariable } from './scenario-results.js';
import { freeLoopbackPort } from '../../test/support/cli-process.js';

export const apiScenarioNames = ['zip-download', 'upload', 'status-latency', 'http-load', 'gallery'] as const;
export type ApiScenarioName = (typeof apiScenarioNames)[number];

export interface ApiBenchResult {
  scenario: ApiScenarioName;
  /** Headline figures with goals, for the summary table. */
  rows: FigureRow[];
  /** The scenario's section of docs/benchmarks.md (markdown, starting with its `##` heading). */
  section: string;
}

export function isApiBenchResult(value: unknown): value is ApiBenchResult {
  return typeof value === 'object' && value !== null && (apiScenarioNames as readonly string[]).includes(String((value as { scenario?: unknown }).scenario));
}

/** Hands the result to run-all when it started us, else prints it. */
export async function reportApiBenchResult(result: ApiBenchResult): Promise<void> {
  const resultFile = process.env[resultFileVariable];
  if (resultFile) await writeFile(resultFile, JSON.stringify(result, null, 2));
  else console.log(`${result.rows.map((row) => `${row.benchmark} — ${row.figure}: ${row.value} (goal ${row.goal}, ${row.verdict})`).join('\n')}\n\n${result.section}`);
}

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Resident set size and its peak (VmRSS, VmHWM) of a process, in MiB. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rssMiB: field('VmRSS'), peakMiB: field('VmHWM') };
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the highest sample. */
export function sampleMemory(pid: number, intervalMs = 50): { stop(): number } {
  let highest = 0;
  const timer = setInterval(() => {
    try {
      highest = Math.max(highest, memoryOf(pid).rssMiB);
    } catch {
      // The process ended.
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      try {
        highest = Math.max(highest, memoryOf(pid).rssMiB);
      } catch {
        // ended
      }
      return highest;
    },
  };
}

export interface ServeProcess {
  child: ChildProcess;
  baseUrl: string;
  stop(): Promise<void>;
}

/** Starts the real `imagefleet serve` on a free loopback port; needs a production build (`npm run build`). */
export async function startServe(dataDir: string, env: Record<string, string> = {}): Promise<ServeProcess> {
  if (!existsSync(`${repositoryRoot}.next/BUILD_ID`)) throw new Error('The web app is not built (no .next/BUILD_ID); run "npm run build" before this benchmark.');
  const port = await freeLoopbackPort();
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(IMAGEFLEET_|GEMINI_|BENCH_)/.test(name) && name !== 'NODE_ENV') environment[name] = value;
  }
  const child = spawn(process.execPath, [`${repositoryRoot}bin/imagefleet.js`, 'serve', '--port', String(port), '--data-dir', dataDir], {
    cwd: repositoryRoot,
    env: { ...environment, IMAGEFLEET_LOG_LEVEL: 'warn', ...env } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`imagefleet serve exited (code ${child.exitCode}) before answering`);
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('imagefleet serve did not answer within 90 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    child,
    baseUrl,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Value at quantile `q` (0..1) of a sample, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  return [`| ${header.map(escape).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)].join('\n');
}

/** The HTTP API scenarios run by `run-all`, with the time after which each is stopped as hung. */
export const apiScenarios = [
  { name: 'zip-download', script: 'zip-download.ts', timeoutMs: 6 * 60_000 },
  { name: 'upload', script: 'upload.ts', timeoutMs: 14 * 60_000 },
  { name: 'status-latency', script: 'status-latency.ts', timeoutMs: 4 * 60_000 },
  { name: 'http-load', script: 'http-load.ts', timeoutMs: 5 * 60_000 },
  // The gallery in Chromium (issue 20); it reports the same way.
  { name: 'gallery', script: 'gallery.ts', timeoutMs: 12 * 60_000 },
] as const;

/** Summary rows of the API scenarios: their own, or one "missed" row for a scenario that did not finish. */
export function apiFigureRows(results: readonly ApiBenchResult[], failures: ReadonlyArray<{ scenario: string; message: string }>): FigureRow[] {
  const rows = results.flatMap((result) => result.rows);
  for (const failure of failures) {
    if ((apiScenarioNames as readonly string[]).includes(failure.scenario)) rows.push({ benchmark: failure.scenario, figure: 'scenario did not finish', value: failure.message, goal: '—', verdict: 'missed' });
  }
  return rows;
}

/** Adds the API scenarios' sections to the document, before its closing sections. */
export function withApiSections(document: string, results: readonly ApiBenchResult[], failures: ReadonlyArray<{ scenario: string; message: string }>): string {
  const sections = apiScenarios.map((scenario) => {
    const result = results.find((candidate) => candidate.scenario === scenario.name);
    if (result) return result.section;
    const failure = failures.find((candidate) => candidate.scenario === scenario.name);
    return `## ${scenario.name}\n\nNo figures: the scenario did not finish in this run (${failure?.message ?? 'not run'}).`;
  });
  const block = `${sections.join('\n\n')}\n\n`;
  const anchor = document.indexOf('\n## What the fakes do not model');
  return anchor < 0 ? `${document.trimEnd()}\n\n${block}` : `${document.slice(0, anchor + 1)}${block}${document.slice(anchor + 1)}`;
}
