/** Groups (folders of results). A port: adapters in src/store implement it. */
import type { Group } from '../../core/group.js';
import type { GroupDisposalChoice } from '../../core/group-rules.js';

export interface GroupRepository {
  getGroup(groupId: string): Promise<Group | undefined>;
  /** The `Default` group, created on first use. */
  getOrCreateDefault(): Promise<Group>;
  /** The group with this name, ignoring letter case. */
  findGroupByName(name: string): Promise<Group | undefined>;
  /** `conflict` when the name is taken in any letter case. */
  createGroup(name: string): Promise<Group>;
  renameGroup(groupId: string, name: string): Promise<Group>;
  /** Every group with its job and image counts, by name. */
  listGroupSummaries(): Promise<GroupSummary[]>;
  getGroupSummary(groupId: string): Promise<GroupSummary | undefined>;
  /**
   * Deletes a group. Without `disposal` only an empty group (`conflict` otherwise); `move` moves its
   * jobs and images to another group first; `delete` deletes its jobs, tasks and images (`conflict`
   * while one of its jobs is unfinished). One transaction; files are the caller's to remove.
   */
  deleteGroup(groupId: string, disposal?: GroupDisposal): Promise<GroupDeletion>;
}

export interface GroupSummary extends Group {
  jobCount: number;
  imageCount: number;
}

/** What deleting a group does with its contents (the rule: core/group-rules.ts). */
export type GroupDisposal = GroupDisposalChoice;

export interface GroupDeletion {
  movedJobs: number;
  movedImages: number;
  /** Jobs deleted with their tasks and images; their output files are to be removed. */
  deletedJobIds: string[];
  deletedImages: number;
}
