/**
 * Arguments several tools share: the session they act on, and the cost cap every tool that spends
 * money requires (the amount the user agreed to; the call is refused when the estimate is above it).
 */
import path from 'node:path';
import { z } from 'zod';
import { ImagefleetError } from '../core/errors.js';
import { formatUsd } from '../cli/session/progress-display.js';

export const sessionArgument = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .describe('Session id such as 20261121-062245-cmyj (or a unique start of it), as start_session or list_sessions gave it.');

export const maxCostArgument = z
  .number({ error: 'must be a number of US dollars' })
  .min(0, { error: 'must be 0 or more' })
  .max(1_000_000)
  .describe('Required cost cap in US dollars, as agreed with the user: the call is refused (budget_exceeded, naming the estimate) when the estimate is higher. The local provider costs 0.');

/** `budget_exceeded` when the estimate is above the cap; the error names both. */
export function checkCostCap(estimateUsd: number, capUsd: number, what: string): void {
  // Estimates are sums of per-image prices; a rounding crumb must not refuse an exact cap.
  if (estimateUsd <= capUsd + 1e-9) return;
  throw new ImagefleetError('budget_exceeded', `${what} is estimated at ${formatUsd(estimateUsd)}, above max_cost_usd ${formatUsd(capUsd)}; nothing was started.`, {
    issues: [{ path: 'max_cost_usd', message: `the estimate is ${formatUsd(estimateUsd)} (${estimateUsd} USD); pass at least that once the user agrees, or plan less` }],
  });
}

/** The folder relative paths are resolved against: `cwd` if given (relative to the server's), else the server's. */
export function baseDirectory(serverCwd: string, cwd: string | undefined): string {
  return path.resolve(serverCwd, cwd ?? '.');
}
