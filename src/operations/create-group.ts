/** Creates an empty group; `conflict` when the name is taken in any letter case. */
import type { GroupSummary } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface CreateGroupInput {
  /** The group's name, trimmed and validated by the caller's schema. */
  name: string;
}

export async function createGroup(input: CreateGroupInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<GroupSummary> {
  const group = await dependencies.store.groups.createGroup(input.name);
  // A new group holds nothing yet: no second read for its counts.
  return { ...group, jobCount: 0, imageCount: 0 };
}
