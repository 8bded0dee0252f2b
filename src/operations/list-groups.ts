/** Every group (folder of results) with its job and image counts, by name. */
import type { GroupSummary } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export type ListGroupsInput = Record<string, never>;

export function listGroups(_input: ListGroupsInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<GroupSummary[]> {
  return dependencies.store.groups.listGroupSummaries();
}
