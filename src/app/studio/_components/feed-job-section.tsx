'use client';
/** One batch (job) of the feed: its planned calls and finished images, read live, shown by prompt. */
import { errorMessage } from '../../_lib/api-client.js';
import { feedRuns } from './feed-image.js';
import { FeedRunView } from './feed-run.js';
import { useJobImages, useJobTasks } from './studio-queries.js';

export function FeedJobSection({ jobId }: { jobId: string }) {
  const tasks = useJobTasks(jobId);
  const images = useJobImages(jobId);
  if (tasks.isError) {
    return (
      <p className="rounded-lg border border-neutral-800 p-3 text-sm text-neutral-400">
        A batch could not be loaded: {errorMessage(tasks.error)}
      </p>
    );
  }
  if (!tasks.data) return <div className="h-24 animate-pulse rounded-lg border border-neutral-800 bg-neutral-900" aria-label="Loading a batch" />;
  const runs = feedRuns(tasks.data, images.data?.items ?? []);
  return (
    <>
      {runs.map((run) => (
        <FeedRunView key={run.key} run={run} />
      ))}
    </>
  );
}
