/** One group with its job and image counts; `not_found` when there is none. */
import { ImagefleetError } from '../core/errors.js';
import type { GroupSummary } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface GetGroupInput {
  /** The group to read. */
  groupId: string;
}

export async function getGroup(input: GetGroupInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<GroupSummary> {
  const group = await dependencies.store.groups.getGroupSummary(input.groupId);
  if (!group) throw new ImagefleetError('not_found', `No group with id ${input.groupId}.`);
  return group;
}
