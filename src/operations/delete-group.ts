/**
 * Deletes a group: refused (`conflict`) while it holds anything unless told to move its contents
 * to another group or to delete them (`conflict` while one of its jobs is unfinished). The rows go
 * in one transaction; then the deleted jobs' files.
 */
import { jobBlobPrefixes } from '../core/blob-keys.js';
import type { GroupDeletion, GroupDisposal } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface DeleteGroupInput {
  /** The group to delete. */
  groupId: string;
  /** What happens to the group's jobs and images; undefined = only an empty group is deleted. */
  disposal?: GroupDisposal | undefined;
}

export async function deleteGroup(input: DeleteGroupInput, dependencies: Pick<OperationDependencies, 'store' | 'blobs' | 'logger'>): Promise<GroupDeletion> {
  const result = await dependencies.store.groups.deleteGroup(input.groupId, input.disposal);
  // The rows are gone; now their files. A failure here leaves only unreferenced files behind.
  for (const jobId of result.deletedJobIds) {
    await Promise.all(jobBlobPrefixes(jobId).map((prefix) => dependencies.blobs.deletePrefix(prefix))).catch((error: unknown) => dependencies.logger.warn({ jobId, error: String(error) }, 'Could not remove the files of a deleted job.'));
  }
  return result;
}
