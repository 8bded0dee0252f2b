/**
 * What happens to a running task whose worker is gone (its lease expired, or its process is known
 * dead): it goes back to the queue, and each such death is counted; a task that has taken down
 * `maxLeaseExpirations` workers is failed as poison, so it cannot crash workers forever.
 */

/** Why the task is being taken back (decides the message users see on the task). */
export type TakeBackCause = 'lease-expired' | 'worker-gone';

/** What the adapter writes for one taken-back task. */
export type TakeBackDecision =
  /** Back to the queue, available now, with `message` as its last error (`worker_lost`). */
  | { kind: 'requeue'; leaseExpirations: number; message: string }
  /** Failed for good (`worker_lost`) with `message`; the job may finish. */
  | { kind: 'poison'; leaseExpirations: number; message: string };

/** The error code recorded on a taken-back task. */
export const workerLostErrorCode = 'worker_lost';

/**
 * @param previousExpirations how many workers already died holding this task.
 * @param leaseOwner the lost worker's id (`host:pid:random`), if recorded.
 */
export function decideTakeBack(previousExpirations: number, maxLeaseExpirations: number, leaseOwner: string | undefined, cause: TakeBackCause): TakeBackDecision {
  const leaseExpirations = previousExpirations + 1;
  if (leaseExpirations >= maxLeaseExpirations) {
    return {
      kind: 'poison',
      leaseExpirations,
      message: `A worker stopped while running this task ${leaseExpirations} times; it was failed so it cannot crash workers forever. Retry it once the cause is fixed.`,
    };
  }
  const owner = leaseOwner ?? 'unknown';
  return {
    kind: 'requeue',
    leaseExpirations,
    message:
      cause === 'lease-expired'
        ? `Lease expired (worker ${owner} stopped responding); requeued.`
        : `Worker ${owner} no longer exists; its task was taken back at once and requeued.`,
  };
}
