/** Jobs newest first, a page at a time, optionally of one group, mode or statuses. */
import { ImagefleetError } from '../core/errors.js';
import type { JobListEntry, JobPageFilter } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export type ListJobsInput = JobPageFilter;

export interface JobPage {
  /** At most `limit` jobs, newest first. */
  entries: JobListEntry[];
  /** Whether a further page may follow (the page came back full). */
  hasMore: boolean;
}

/** `not_found` when the group filter names no group. */
export async function listJobs(input: ListJobsInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<JobPage> {
  const { groups, jobs } = dependencies.store;
  if (input.groupId !== undefined && !(await groups.getGroup(input.groupId))) throw new ImagefleetError('not_found', `No group with id ${input.groupId}.`);
  const entries = await jobs.listJobPage(input);
  return { entries, hasMore: entries.length === input.limit };
}
