import type { Job } from '../../src/core/job.js';
import type { Fleet } from '../../src/fleet/create-fleet.js';

const endedStatuses: ReadonlySet<Job['status']> = new Set(['completed', 'failed', 'canceled']);

/** Checks the database this often in case the in-process event was missed (e.g. a job ended by recovery). */
const fallbackPollMs = 1_000;

export interface JobEndWatcher {
  /** Resolves with the job once it has ended; rejects after `timeoutMs`. */
  waitFor(jobId: string, timeoutMs: number): Promise<Job>;
  dispose(): void;
}

/**
 * Notes the moment jobs end, from the engine's `job.finished` event (emitted right after the
 * completing transaction commits). Created before a submit, so a job that ends quickly is not missed.
 */
export function watchJobEnds(fleet: Fleet): JobEndWatcher {
  const endedJobIds = new Set<string>();
  const listeners = new Set<() => void>();
  const unsubscribe = fleet.engine.subscribe((event) => {
    if (event.type !== 'job.finished') return;
    endedJobIds.add(event.jobId);
    for (const listener of listeners) listener();
  });

  return {
    async waitFor(jobId, timeoutMs) {
      const deadlineMs = Date.now() + timeoutMs;
      while (Date.now() < deadlineMs) {
        if (!endedJobIds.has(jobId)) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(finish, Math.min(fallbackPollMs, Math.max(0, deadlineMs - Date.now())));
            function finish(): void {
              clearTimeout(timer);
              listeners.delete(finish);
              resolve();
            }
            listeners.add(finish);
          });
        }
        const job = await fleet.store.jobs.getJob(jobId);
        if (job && endedStatuses.has(job.status)) return job;
      }
      throw new Error(`Job ${jobId} did not end within ${timeoutMs} ms.`);
    },
    dispose: unsubscribe,
  };
}
