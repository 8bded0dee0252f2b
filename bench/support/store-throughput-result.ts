/**
 * What `bench/store-throughput.ts` hands back to `run-all`: its summary rows plus its own section of
 * docs/benchmarks.md (the same shape as the API benchmarks'), so `run-all` only collects it.
 */
import type { FigureRow } from './figure-rows.js';

export const storeThroughputScenarioName = 'store-throughput';

export interface StoreThroughputBenchResult {
  scenario: typeof storeThroughputScenarioName;
  /** Headline figures for the summary table. */
  rows: FigureRow[];
  /** The scenario's section of docs/benchmarks.md (markdown, starting with its `##` heading). */
  section: string;
}

export function isStoreThroughputResult(value: unknown): value is StoreThroughputBenchResult {
  return typeof value === 'object' && value !== null && (value as { scenario?: unknown }).scenario === storeThroughputScenarioName;
}

/** The section shown when the scenario did not finish. */
export function storeThroughputFailedSection(message: string): string {
  return `## Store throughput (several worker processes)\n\nNo figures: the scenario did not finish in this run (${message}).`;
}

/** Adds the scenario's section to the document, before its closing sections. */
export function withStoreThroughputSection(document: string, section: string): string {
  const anchor = document.indexOf('\n## What the fakes do not model');
  return anchor < 0 ? `${document.trimEnd()}\n\n${section}\n` : `${document.slice(0, anchor + 1)}${section}\n\n${document.slice(anchor + 1)}`;
}
