/**
 * Group rules: what a group name may be, when two names are the same, which group is the Default
 * one, and what deleting a group does with its contents. Pure; a store adapter reads the snapshot
 * (the group names, the group's jobs and image count), asks here, and writes the answer.
 */
import { ImagefleetError, invalidInput } from './errors.js';
import { defaultGroupName } from './group.js';
import type { JobStatus } from './job.js';
import { isUnfinishedJobStatus } from './job-lifecycle.js';

/** Longest group name accepted, in characters; names show in narrow sidebars and in export paths. */
export const maxGroupNameLength = 100;

/** A group as name rules see it. */
export interface NamedGroup {
  id: string;
  name: string;
}

/** Trims and NFC-normalises a group name; throws `invalid_input` when it is blank, too long or has control characters. */
export function normalizeGroupName(name: string): string {
  const cleanName = name.normalize('NFC').trim();
  if (cleanName.length === 0) throw invalidInput([{ path: 'name', message: 'A group name cannot be blank.' }]);
  if (cleanName.length > maxGroupNameLength) {
    throw invalidInput([{ path: 'name', message: `A group name can have at most ${maxGroupNameLength} characters.` }]);
  }
  if (/\p{Cc}/u.test(cleanName)) throw invalidInput([{ path: 'name', message: 'A group name cannot contain control characters.' }]);
  return cleanName;
}

/**
 * The form two group names are compared in: NFC, trimmed, lower-cased. Full Unicode lower-casing,
 * not a database's ASCII-only NOCASE, so "Été" and "été" are the same name too.
 */
export function foldGroupName(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

/** The group among `groups` whose name is `name` ignoring letter case (and Unicode form); undefined when none. */
export function findGroupNamed<T extends NamedGroup>(groups: readonly T[], name: string): T | undefined {
  const folded = foldGroupName(name);
  return groups.find((group) => foldGroupName(group.name) === folded);
}

/** The Default group among `groups` (jobs submitted without a group land there); undefined until it is created. */
export function findDefaultGroup<T extends NamedGroup>(groups: readonly T[]): T | undefined {
  return findGroupNamed(groups, defaultGroupName);
}

/**
 * Names are unique ignoring letter case: `conflict` when another group than `exceptGroupId` (the
 * group being renamed, which may take a case variant of its own name) already has `name`.
 */
export function ensureGroupNameFree(groups: readonly NamedGroup[], name: string, exceptGroupId: string | undefined): void {
  const clash = findGroupNamed(
    groups.filter((group) => group.id !== exceptGroupId),
    name,
  );
  if (clash) throw new ImagefleetError('conflict', `A group named "${clash.name}" already exists; choose another name.`);
}

/** The `not_found` error for a group that does not exist. */
export function groupNotFound(groupId: string): ImagefleetError {
  return new ImagefleetError('not_found', `Group ${groupId} does not exist.`);
}

/** What deleting a group does with its contents: move them to another group, or delete them; none = the group must be empty. */
export type GroupDisposalChoice = { kind: 'move'; targetGroupId: string } | { kind: 'delete' };

/** What a group deletion reads before deciding. */
export interface GroupDeletionSnapshot {
  group: NamedGroup;
  /** The group's jobs with their statuses. */
  jobs: ReadonlyArray<{ id: string; status: JobStatus }>;
  /** Images in the group. */
  imageCount: number;
  /** For a `move`: whether the target group exists. */
  targetExists?: boolean | undefined;
}

/** What to write for a group deletion; the group itself is deleted in every case. */
export type GroupDeletionPlan =
  /** Nothing to move or delete: the group is empty. */
  | { kind: 'empty' }
  /** Move the group's jobs and images to `targetGroupId` (and touch the target's update time). */
  | { kind: 'move'; targetGroupId: string; movedJobs: number; movedImages: number }
  /** Delete the group's images and jobs (their tasks and images go with them). */
  | { kind: 'delete'; deletedJobIds: string[]; deletedImages: number };

/**
 * Decides a group deletion. Without `disposal`: only an empty group (`conflict` otherwise). `move`:
 * to another group (`invalid_input` for itself) that exists (`not_found`). `delete`: only while none
 * of its jobs is unfinished (`conflict`: cancel them first).
 */
export function decideGroupDeletion(snapshot: GroupDeletionSnapshot, disposal: GroupDisposalChoice | undefined): GroupDeletionPlan {
  const { group, jobs, imageCount } = snapshot;
  if (disposal?.kind === 'move') {
    if (disposal.targetGroupId === group.id) throw invalidInput([{ path: 'to', message: 'must be another group than the one being deleted' }]);
    if (!snapshot.targetExists) throw new ImagefleetError('not_found', `Group ${disposal.targetGroupId} (where the contents should go) does not exist.`);
    return { kind: 'move', targetGroupId: disposal.targetGroupId, movedJobs: jobs.length, movedImages: imageCount };
  }
  if (disposal?.kind === 'delete') {
    const unfinished = jobs.filter((job) => isUnfinishedJobStatus(job.status));
    if (unfinished.length > 0) {
      const one = unfinished.length === 1;
      throw new ImagefleetError(
        'conflict',
        `Group "${group.name}" has ${unfinished.length} unfinished job${one ? '' : 's'}; cancel ${one ? 'it' : 'them'} before deleting the group with its images.`,
      );
    }
    return { kind: 'delete', deletedJobIds: jobs.map((job) => job.id), deletedImages: imageCount };
  }
  if (jobs.length > 0 || imageCount > 0) {
    throw new ImagefleetError('conflict', `Group "${group.name}" is not empty (${jobs.length} jobs, ${imageCount} images); move or delete its contents first.`);
  }
  return { kind: 'empty' };
}
