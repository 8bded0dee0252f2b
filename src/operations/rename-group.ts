/** Renames a group and returns it with its counts; `not_found` for an unknown group, `conflict` for a taken name. */
import type { GroupSummary } from '../engine/ports.js';
import { getGroup } from './get-group.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface RenameGroupInput {
  /** The group to rename. */
  groupId: string;
  /** The new name, trimmed and validated by the caller's schema. */
  name: string;
}

export async function renameGroup(input: RenameGroupInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<GroupSummary> {
  await dependencies.store.groups.renameGroup(input.groupId, input.name);
  return getGroup({ groupId: input.groupId }, dependencies);
}
