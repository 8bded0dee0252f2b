/** The order in which runnable jobs are offered a claim (DESIGN §5.6: prioritised, then fair). */
export interface JobOrderFields {
  /** Higher runs first (interactive before bulk). */
  priorityRank: number;
  /** Jobs moved ahead in the queue have negative positions and go first; the rest (0) take turns. */
  queuePosition: number;
  /** When the job last had a task claimed, epoch ms (0 = never): least recently served goes first. */
  lastClaimedAtMs: number;
  /** Submission time, epoch ms: among equals, the older job goes first. */
  createdAtMs: number;
}

/** Sort comparator: priority (high first), queue position, least recently served, age. */
export function compareJobOrder(left: JobOrderFields, right: JobOrderFields): number {
  return (
    right.priorityRank - left.priorityRank ||
    left.queuePosition - right.queuePosition ||
    left.lastClaimedAtMs - right.lastClaimedAtMs ||
    left.createdAtMs - right.createdAtMs
  );
}
