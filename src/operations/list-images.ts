/**
 * Output images matching a plain filter (a job, one of its tasks, a group), discarded ones included,
 * in the store's order: for shells that place or show every image of a job or group, not for the
 * studio's paged, filtered result lists (`list-job-results.ts`, `list-group-images.ts`).
 */
import type { GeneratedImage } from '../core/image.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ListImagesInput {
  /** Only images of this job. */
  jobId?: string;
  /** Only images of this task. */
  taskId?: string;
  /** Only images of this group. */
  groupId?: string;
  /** Most images returned; default all. */
  limit?: number;
}

export function listImages(input: ListImagesInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<GeneratedImage[]> {
  return dependencies.store.images.listImages(input);
}
