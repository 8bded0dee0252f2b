/** A job's images in completion order, keyset-paged, filtered by prompt, source, prompt id, favourite and discarded mark. */
import { getJob } from './get-job.js';
import { discardedFilterOf, type DiscardedFilter, type ImagePage } from './image-page.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ListJobResultsInput {
  /** The job whose images are listed. */
  jobId: string;
  /** Case-insensitive substring of the prompt. */
  promptContains?: string | undefined;
  /** Case-insensitive substring of a reference's uploaded file name. */
  sourceContains?: string | undefined;
  /** Only images of this prompt of the job spec. */
  promptId?: string | undefined;
  /** Only favourites (true) or only non-favourites (false); undefined = both. */
  favorite?: boolean | undefined;
  /** Default `kept`. */
  status?: DiscardedFilter | undefined;
  /** The last image of the previous page; undefined = the first page. */
  after?: { createdAtMs: number; id: string } | undefined;
  /** Images per page. */
  limit: number;
}

/** `not_found` for an unknown job. */
export async function listJobResults(input: ListJobResultsInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<ImagePage> {
  await getJob({ jobId: input.jobId }, dependencies);
  const { images } = dependencies.store;
  const filter = { jobId: input.jobId, promptContains: input.promptContains, sourceContains: input.sourceContains, promptId: input.promptId, favorite: input.favorite, discarded: discardedFilterOf(input.status) };
  // One more than asked tells whether another page exists without a count query.
  const rows = await images.listResults({ ...filter, after: input.after, limit: input.limit + 1 });
  // The exact total comes with the first page only: later pages belong to the same list.
  const total = input.after === undefined ? await images.countImages(filter) : null;
  return { images: rows.slice(0, input.limit), hasMore: rows.length > input.limit, total };
}
