/**
 * The jobs made in this browser (composer, re-roll, variations, upscale), newest first. The feed
 * shows them at once — before the group's job list from the server has them — beside that list.
 */

export const feedJobsStorageKey = 'imagefleet.studio.feed.v1';

/** Older jobs drop off the feed (their images stay in their group). */
export const maxFeedJobs = 60;

export interface FeedJob {
  jobId: string;
  groupId: string;
  /** Epoch ms when it was submitted. */
  addedAtMs: number;
}

export function restoreFeedJobs(stored: unknown): FeedJob[] | undefined {
  if (!Array.isArray(stored)) return undefined;
  return stored
    .flatMap((entry: unknown): FeedJob[] => {
      if (typeof entry !== 'object' || entry === null) return [];
      const job = entry as Record<string, unknown>;
      return typeof job.jobId === 'string' && typeof job.groupId === 'string' && typeof job.addedAtMs === 'number' ? [{ jobId: job.jobId, groupId: job.groupId, addedAtMs: job.addedAtMs }] : [];
    })
    .slice(0, maxFeedJobs);
}

/** Puts a new job at the top, once. */
export function withFeedJob(jobs: readonly FeedJob[], job: FeedJob): FeedJob[] {
  return [job, ...jobs.filter((existing) => existing.jobId !== job.jobId)].slice(0, maxFeedJobs);
}
