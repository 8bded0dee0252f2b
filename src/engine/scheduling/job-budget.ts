/** Budget comparisons in floating-point USD tolerate this much. */
export const budgetEpsilonUsd = 1e-9;

/** What a job's budget says about claiming its next task. */
export type BudgetDecision =
  /** Within budget (or no budget): claim. */
  | 'claim'
  /** Would pass the budget, but tasks are in flight whose cost is not known yet: skip for now. */
  | 'wait'
  /** Would pass the budget and nothing is in flight: pause the job with `budgetPauseReason`. */
  | 'pause';

/**
 * A job budget stops claiming once spent + in flight + the next task's estimate would pass it
 * (DESIGN §5.7). All amounts in USD; `budgetUsd` undefined = no budget.
 */
export function decideBudget(input: { budgetUsd: number | undefined; spentUsd: number; inFlightUsd: number; nextTaskCostUsd: number }): BudgetDecision {
  if (input.budgetUsd === undefined) return 'claim';
  if (input.spentUsd + input.inFlightUsd + input.nextTaskCostUsd <= input.budgetUsd + budgetEpsilonUsd) return 'claim';
  return input.inFlightUsd === 0 ? 'pause' : 'wait';
}

/** The job's status reason when its budget pauses it (shown to users; keep the text stable). */
export function budgetPauseReason(spentUsd: number, budgetUsd: number): string {
  return `Budget reached: $${spentUsd.toFixed(4)} spent of $${budgetUsd.toFixed(4)}, and the next task would pass it. Raise the budget and resume to continue.`;
}
