/** Stored reference images, newest first, a page at a time, optionally by a part of their file name. */
import type { Asset } from '../core/asset.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ListUploadsInput {
  /** The last asset of the previous page; undefined = the newest. */
  before?: { createdAtMs: number; id: string } | undefined;
  /** Assets per page. */
  limit: number;
  /** Case-insensitive substring of the uploaded file name. */
  nameContains?: string | undefined;
}

export interface UploadPage {
  /** At most `limit` assets, newest first. */
  assets: Asset[];
  /** Whether another page follows the last asset. */
  hasMore: boolean;
}

export async function listUploads(input: ListUploadsInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<UploadPage> {
  // One more than asked tells whether another page exists without a count query.
  const page = await dependencies.store.assets.listAssets({ before: input.before, limit: input.limit + 1, nameContains: input.nameContains });
  return { assets: page.slice(0, input.limit), hasMore: page.length > input.limit };
}
