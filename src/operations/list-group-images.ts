/** A group's gallery: its images newest first, keyset-paged, filtered by prompt, source, favourite, discarded mark and job. */
import { ImagefleetError } from '../core/errors.js';
import { discardedFilterOf, type DiscardedFilter, type ImagePage } from './image-page.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ListGroupImagesInput {
  /** The group whose images are listed. */
  groupId: string;
  /** Only images of this job. */
  jobId?: string | undefined;
  /** Case-insensitive substring of the prompt. */
  promptContains?: string | undefined;
  /** Case-insensitive substring of a reference's uploaded file name. */
  sourceContains?: string | undefined;
  /** Only favourites (true) or only non-favourites (false); undefined = both. */
  favorite?: boolean | undefined;
  /** Default `kept`. */
  status?: DiscardedFilter | undefined;
  /** The last image of the previous page; undefined = the first page. */
  after?: { createdAtMs: number; id: string } | undefined;
  /** Images per page. */
  limit: number;
}

/** `not_found` for an unknown group. */
export async function listGroupImages(input: ListGroupImagesInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<ImagePage> {
  const { groups, images } = dependencies.store;
  const group = await groups.getGroup(input.groupId);
  if (!group) throw new ImagefleetError('not_found', `No group with id ${input.groupId}.`);
  const filter = { groupId: input.groupId, jobId: input.jobId, promptContains: input.promptContains, sourceContains: input.sourceContains, favorite: input.favorite, discarded: discardedFilterOf(input.status) };
  // One more than asked tells whether another page exists without a count query.
  const rows = await images.listGroupImages({ ...filter, after: input.after, limit: input.limit + 1 });
  // The exact total comes with the first page only: later pages belong to the same list.
  const total = input.after === undefined ? await images.countImages(filter) : null;
  return { images: rows.slice(0, input.limit), hasMore: rows.length > input.limit, total };
}
