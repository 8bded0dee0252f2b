/**
 * The plan summary shown before a session runs (and as the whole output of `--dry-run`): what will
 * be generated, with what, what it will cost on each lane and about how long it will take; and the
 * confirmation asked when the cost is high.
 */
import type { PlanEstimate } from '../../core/estimate.js';
import type { Lane } from '../../core/job.js';
import type { CliIo } from '../cli-context.js';
import { CliExit, exitCodes } from '../handle-cli-error.js';
import { usage } from './generation-options.js';
import { formatDuration, formatUsd } from './progress-display.js';

/** Estimated costs above this many US dollars ask for confirmation (unless `--yes`). */
export const confirmAboveUsd = 5;

export interface PlanPreview {
  /** What is combined: e.g. "3 combos × 4 prompts × 2 images". */
  shape: string;
  provider: string;
  model: string;
  size: string;
  aspect: string;
  lane: Lane;
  estimate: PlanEstimate;
  warnings: string[];
  out: string;
  layout: string;
}

export function planSummaryLines(preview: PlanPreview): string[] {
  const { estimate } = preview;
  const costs = Object.entries(estimate.costUsdByLane).map(([lane, usd]) => `${lane} ${formatUsd(usd)}${lane === preview.lane ? ' (this run)' : ''}`);
  const lines = [
    `Plan: ${preview.shape} = ${estimate.imageCount.toLocaleString('en-US')} image${estimate.imageCount === 1 ? '' : 's'} in ${estimate.taskCount.toLocaleString('en-US')} call${estimate.taskCount === 1 ? '' : 's'}`,
    `  with:   ${preview.provider} / ${preview.model}, ${preview.size}, ${preview.aspect}, ${preview.lane} lane`,
    `  cost:   ${costs.length > 0 ? costs.join(', ') : 'no price known'}`,
    `  time:   about ${formatDuration(estimate.estimatedDurationMs / 1000)} (${estimate.assumptions})`,
    `  output: ${preview.out}  (layout ${preview.layout})`,
  ];
  for (const warning of preview.warnings) lines.push(`  note:   ${warning}`);
  return lines;
}

export function planSummaryJson(preview: PlanPreview): Record<string, unknown> {
  return {
    shape: preview.shape,
    provider: preview.provider,
    model: preview.model,
    size: preview.size,
    aspect: preview.aspect,
    lane: preview.lane,
    tasks: preview.estimate.taskCount,
    images: preview.estimate.imageCount,
    cost_usd_by_lane: preview.estimate.costUsdByLane,
    estimated_duration_seconds: Math.round(preview.estimate.estimatedDurationMs / 1000),
    assumptions: preview.estimate.assumptions,
    warnings: preview.warnings,
    out: preview.out,
    layout: preview.layout,
  };
}

/**
 * Goes on when the cost is at most `confirmAboveUsd`, `--yes` was given, or a person at the
 * terminal says yes. Without a terminal it refuses (exit 2) and says to pass `--yes`; a "no" ends
 * the command with exit 1 and nothing run.
 */
export async function confirmCost(costUsd: number, io: CliIo, options: { yes: boolean }): Promise<void> {
  if (options.yes || costUsd <= confirmAboveUsd) return;
  const amount = formatUsd(costUsd);
  if (io.stdin.isTTY !== true || io.stdin.ask === undefined) {
    throw usage(`This run is estimated at ${amount}, above the ${formatUsd(confirmAboveUsd)} that needs a confirmation, and there is no terminal to ask on; pass --yes to go ahead.`);
  }
  const answer = (await io.stdin.ask(`Estimated cost ${amount}. Go ahead? [y/N] `)).trim().toLowerCase();
  if (answer === 'y' || answer === 'yes') return;
  io.stderr.write('Nothing was run.\n');
  throw new CliExit(exitCodes.failure);
}
