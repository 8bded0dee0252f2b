import { describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import {
  decideGroupDeletion,
  ensureGroupNameFree,
  findDefaultGroup,
  findGroupNamed,
  foldGroupName,
  groupNotFound,
  maxGroupNameLength,
  normalizeGroupName,
  type GroupDeletionSnapshot,
} from '../../src/core/group-rules.js';

function refusal(decide: () => unknown): { code: string; message: string; issues: unknown } | undefined {
  try {
    decide();
    return undefined;
  } catch (error) {
    if (!isImagefleetError(error)) throw error;
    return { code: error.code, message: error.message, issues: error.issues };
  }
}

describe('group names', () => {
  it('trims and NFC-normalises', () => {
    expect(normalizeGroupName('  Products  ')).toBe('Products');
    expect(normalizeGroupName('E\u0301te\u0301')).toBe('\u00c9t\u00e9');
  });

  it('refuses a blank, overlong or control-character name', () => {
    expect(refusal(() => normalizeGroupName('   '))).toMatchObject({ code: 'invalid_input', issues: [{ path: 'name', message: 'A group name cannot be blank.' }] });
    expect(normalizeGroupName('x'.repeat(maxGroupNameLength))).toHaveLength(100);
    expect(refusal(() => normalizeGroupName('x'.repeat(maxGroupNameLength + 1)))).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: 'name', message: 'A group name can have at most 100 characters.' }],
    });
    expect(refusal(() => normalizeGroupName('a\u0007b'))).toMatchObject({ issues: [{ path: 'name', message: 'A group name cannot contain control characters.' }] });
  });

  it('compares names ignoring letter case beyond ASCII and Unicode form', () => {
    expect(foldGroupName(' Été ')).toBe(foldGroupName('e\u0301te\u0301'.toUpperCase()));
    const groups = [
      { id: 'a', name: 'Été' },
      { id: 'b', name: 'Default' },
    ];
    expect(findGroupNamed(groups, 'ÉTÉ')?.id).toBe('a');
    expect(findGroupNamed(groups, '  été ')?.id).toBe('a');
    expect(findGroupNamed(groups, 'ete')).toBeUndefined();
  });

  it('finds the Default group in any letter case', () => {
    expect(findDefaultGroup([{ id: 'x', name: 'Photos' }])).toBeUndefined();
    expect(findDefaultGroup([{ id: 'x', name: 'Photos' }, { id: 'd', name: 'default' }])?.id).toBe('d');
  });

  it('refuses a name another group has in any letter case, naming that group', () => {
    const groups = [
      { id: 'a', name: 'Été' },
      { id: 'b', name: 'Shoes' },
    ];
    expect(refusal(() => ensureGroupNameFree(groups, 'éTÉ', undefined))).toMatchObject({ code: 'conflict', message: 'A group named "Été" already exists; choose another name.' });
    expect(refusal(() => ensureGroupNameFree(groups, 'Hats', undefined))).toBeUndefined();
  });

  it('lets a group be renamed to a case variant of its own name', () => {
    const groups = [{ id: 'b', name: 'Shoes' }];
    expect(refusal(() => ensureGroupNameFree(groups, 'SHOES', 'b'))).toBeUndefined();
    expect(refusal(() => ensureGroupNameFree(groups, 'SHOES', 'other'))?.code).toBe('conflict');
  });

  it('names a missing group', () => {
    expect(groupNotFound('g-9')).toMatchObject({ code: 'not_found', message: 'Group g-9 does not exist.' });
  });
});

describe('deleting a group', () => {
  const group = { id: 'g1', name: 'Shoes' };
  const snapshot = (overrides: Partial<GroupDeletionSnapshot> = {}): GroupDeletionSnapshot => ({ group, jobs: [], imageCount: 0, ...overrides });

  it('deletes an empty group without a disposal', () => {
    expect(decideGroupDeletion(snapshot(), undefined)).toEqual({ kind: 'empty' });
  });

  it('refuses a group with jobs or images without a disposal', () => {
    expect(refusal(() => decideGroupDeletion(snapshot({ jobs: [{ id: 'j1', status: 'completed' }], imageCount: 4 }), undefined))).toMatchObject({
      code: 'conflict',
      message: 'Group "Shoes" is not empty (1 jobs, 4 images); move or delete its contents first.',
    });
    expect(refusal(() => decideGroupDeletion(snapshot({ imageCount: 1 }), undefined))?.code).toBe('conflict');
  });

  it('moves the contents to another existing group', () => {
    expect(decideGroupDeletion(snapshot({ jobs: [{ id: 'j1', status: 'processing' }], imageCount: 3, targetExists: true }), { kind: 'move', targetGroupId: 'g2' })).toEqual({
      kind: 'move',
      targetGroupId: 'g2',
      movedJobs: 1,
      movedImages: 3,
    });
  });

  it('refuses to move the contents into the group itself, or into a group that does not exist', () => {
    expect(refusal(() => decideGroupDeletion(snapshot({ targetExists: true }), { kind: 'move', targetGroupId: 'g1' }))).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: 'to', message: 'must be another group than the one being deleted' }],
    });
    expect(refusal(() => decideGroupDeletion(snapshot({ targetExists: false }), { kind: 'move', targetGroupId: 'g3' }))).toMatchObject({
      code: 'not_found',
      message: 'Group g3 (where the contents should go) does not exist.',
    });
  });

  it('deletes the contents when every job has ended', () => {
    const jobs = [
      { id: 'j1', status: 'completed' as const },
      { id: 'j2', status: 'canceled' as const },
      { id: 'j3', status: 'failed' as const },
    ];
    expect(decideGroupDeletion(snapshot({ jobs, imageCount: 7 }), { kind: 'delete' })).toEqual({ kind: 'delete', deletedJobIds: ['j1', 'j2', 'j3'], deletedImages: 7 });
  });

  it('refuses to delete the contents while a job is unfinished', () => {
    expect(refusal(() => decideGroupDeletion(snapshot({ jobs: [{ id: 'j1', status: 'paused' }] }), { kind: 'delete' }))?.message).toBe(
      'Group "Shoes" has 1 unfinished job; cancel it before deleting the group with its images.',
    );
    const jobs = [
      { id: 'j1', status: 'queued' as const },
      { id: 'j2', status: 'processing' as const },
      { id: 'j3', status: 'completed' as const },
    ];
    expect(refusal(() => decideGroupDeletion(snapshot({ jobs }), { kind: 'delete' }))?.message).toBe(
      'Group "Shoes" has 2 unfinished jobs; cancel them before deleting the group with its images.',
    );
  });
});
