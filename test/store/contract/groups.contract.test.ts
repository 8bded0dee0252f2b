import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/engine/ports.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';
import { baseMs, claim, createJobInNewGroup, jobInput, rejectionOf, runJob } from './contract-fixtures.js';

describe.each(storeFactoriesWithPostgres())('store contract: groups ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  let nowMs = 1_000;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  async function openStore(): Promise<Store> {
    nowMs = 1_000;
    opened = await factory.open({ now: () => nowMs });
    return opened.store;
  }

  describe('names', () => {
    it('creates a group with a trimmed NFC name and its clock times, and reads it back', async () => {
      const store = await openStore();
      const group = await store.groups.createGroup('  Été  '.normalize('NFD'));
      expect(group).toMatchObject({ name: 'Été'.normalize('NFC'), createdAtMs: 1_000, updatedAtMs: 1_000 });
      expect(group.name).toHaveLength(3);
      expect(await store.groups.getGroup(group.id)).toEqual(group);
      expect(await store.groups.getGroup('missing')).toBeUndefined();
    });

    it('keeps names unique regardless of letter case, ASCII or not, and of Unicode form', async () => {
      const store = await openStore();
      await store.groups.createGroup('Summer Shoot');
      expect(await rejectionOf(store.groups.createGroup('summer shoot'))).toEqual({ code: 'conflict', message: 'A group named "Summer Shoot" already exists; choose another name.' });
      expect((await rejectionOf(store.groups.createGroup('SUMMER SHOOT ')))?.code).toBe('conflict');
      await store.groups.createGroup('Été');
      expect((await rejectionOf(store.groups.createGroup('été')))?.code).toBe('conflict');
      expect((await rejectionOf(store.groups.createGroup('e\u0301te\u0301')))?.code).toBe('conflict');
      expect(await store.groups.listGroupSummaries()).toHaveLength(2);
    });

    it('refuses blank, overlong and control-character names', async () => {
      const store = await openStore();
      expect((await rejectionOf(store.groups.createGroup('   ')))?.code).toBe('invalid_input');
      expect((await rejectionOf(store.groups.createGroup('x'.repeat(101))))?.code).toBe('invalid_input');
      expect((await store.groups.createGroup('x'.repeat(100))).name).toHaveLength(100);
      expect((await rejectionOf(store.groups.createGroup('line\nbreak')))?.code).toBe('invalid_input');
      expect((await rejectionOf(store.groups.renameGroup('missing', '  ')))?.code).toBe('invalid_input');
    });

    it('renames, refusing a name another group has but allowing a case change of its own', async () => {
      const store = await openStore();
      const first = await store.groups.createGroup('First');
      await store.groups.createGroup('Second');
      nowMs = 5_000;
      expect((await rejectionOf(store.groups.renameGroup(first.id, 'second')))?.code).toBe('conflict');
      expect(await store.groups.renameGroup(first.id, 'FIRST')).toMatchObject({ id: first.id, name: 'FIRST', createdAtMs: 1_000, updatedAtMs: 5_000 });
      expect(await rejectionOf(store.groups.renameGroup('missing', 'Third'))).toEqual({ code: 'not_found', message: 'Group missing does not exist.' });
    });

    it('finds a group by name ignoring case, spaces and Unicode form', async () => {
      const store = await openStore();
      const group = await store.groups.createGroup('Été');
      expect((await store.groups.findGroupByName(' ÉTÉ '))?.id).toBe(group.id);
      expect((await store.groups.findGroupByName('e\u0301te\u0301'))?.id).toBe(group.id);
      expect(await store.groups.findGroupByName('ete')).toBeUndefined();
    });
  });

  describe('the Default group', () => {
    it('is created on first use and the same group every time, even when asked concurrently', async () => {
      const store = await openStore();
      const [first, second, third] = await Promise.all([store.groups.getOrCreateDefault(), store.groups.getOrCreateDefault(), store.groups.getOrCreateDefault()]);
      expect(first.name).toBe('Default');
      expect(second.id).toBe(first.id);
      expect(third.id).toBe(first.id);
      expect(await store.groups.listGroupSummaries()).toHaveLength(1);
      expect((await rejectionOf(store.groups.createGroup('default')))?.code).toBe('conflict');
    });

    it('is an existing group named Default in another letter case', async () => {
      const store = await openStore();
      const made = await store.groups.createGroup('DEFAULT');
      expect((await store.groups.getOrCreateDefault()).id).toBe(made.id);
    });
  });

  describe('summaries', () => {
    it('lists every group by name, ignoring case, with its job and image counts', async () => {
      const store = await openStore();
      const beta = await store.groups.createGroup('beta');
      const alpha = await store.groups.createGroup('Alpha');
      await store.jobs.createJob(jobInput({ jobId: 'job-1', groupId: beta.id, taskCount: 2, imagesPerTask: 2 }));
      await runJob(store, 'job-1', () => 'completed', baseMs);
      const summaries = await store.groups.listGroupSummaries();
      expect(summaries.map((summary) => [summary.name, summary.jobCount, summary.imageCount])).toEqual([
        ['Alpha', 0, 0],
        ['beta', 1, 4],
      ]);
      expect(await store.groups.getGroupSummary(alpha.id)).toMatchObject({ id: alpha.id, name: 'Alpha', jobCount: 0, imageCount: 0 });
      expect(await store.groups.getGroupSummary('missing')).toBeUndefined();
    });
  });

  describe('deleting', () => {
    it('deletes an empty group and refuses one with jobs or images, saying what it holds', async () => {
      const store = await openStore();
      const busy = await store.groups.createGroup('Busy');
      const empty = await store.groups.createGroup('Empty');
      await store.jobs.createJob(jobInput({ groupId: busy.id, taskCount: 2 }));
      expect(await rejectionOf(store.groups.deleteGroup(busy.id))).toEqual({
        code: 'conflict',
        message: 'Group "Busy" is not empty (1 jobs, 0 images); move or delete its contents first.',
      });
      expect(await store.groups.getGroup(busy.id)).toBeDefined();
      expect(await store.groups.deleteGroup(empty.id)).toEqual({ movedJobs: 0, movedImages: 0, deletedJobIds: [], deletedImages: 0 });
      expect(await store.groups.getGroup(empty.id)).toBeUndefined();
      expect(await rejectionOf(store.groups.deleteGroup(empty.id))).toEqual({ code: 'not_found', message: `Group ${empty.id} does not exist.` });
    });

    it('moves jobs and images to another group, touching it, then deletes the group', async () => {
      const store = await openStore();
      const source = await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2, groupName: 'Source' });
      await runJob(store, 'job-1', () => 'completed', baseMs);
      const target = await store.groups.createGroup('Target');
      nowMs = 9_000;
      expect(await store.groups.deleteGroup(source.groupId, { kind: 'move', targetGroupId: target.id })).toEqual({ movedJobs: 1, movedImages: 2, deletedJobIds: [], deletedImages: 0 });
      expect(await store.groups.getGroup(source.groupId)).toBeUndefined();
      expect((await store.jobs.getJob('job-1'))?.groupId).toBe(target.id);
      expect((await store.images.listImages({ groupId: target.id })).length).toBe(2);
      expect(await store.groups.getGroupSummary(target.id)).toMatchObject({ jobCount: 1, imageCount: 2, updatedAtMs: 9_000 });
    });

    it('refuses to move into the group itself or into a group that does not exist, writing nothing', async () => {
      const store = await openStore();
      const source = await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 1, groupName: 'Source' });
      const itself = await rejectionOf(store.groups.deleteGroup(source.groupId, { kind: 'move', targetGroupId: source.groupId }));
      expect(itself?.code).toBe('invalid_input');
      expect(await rejectionOf(store.groups.deleteGroup(source.groupId, { kind: 'move', targetGroupId: 'nowhere' }))).toEqual({
        code: 'not_found',
        message: 'Group nowhere (where the contents should go) does not exist.',
      });
      expect(await rejectionOf(store.groups.deleteGroup('missing', { kind: 'move', targetGroupId: source.groupId }))).toEqual({ code: 'not_found', message: 'Group missing does not exist.' });
      expect((await store.jobs.getJob('job-1'))?.groupId).toBe(source.groupId);
    });

    it('deletes the jobs, tasks and images of a group whose jobs have all ended', async () => {
      const store = await openStore();
      const job = await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2, groupName: 'Doomed' });
      await runJob(store, 'job-1', () => 'completed', baseMs);
      await store.jobs.createJob(jobInput({ jobId: 'job-2', groupId: job.groupId, taskCount: 1 }));
      await store.control.cancelJob('job-2', baseMs);
      const deletion = await store.groups.deleteGroup(job.groupId, { kind: 'delete' });
      expect({ ...deletion, deletedJobIds: [...deletion.deletedJobIds].sort() }).toEqual({ movedJobs: 0, movedImages: 0, deletedJobIds: ['job-1', 'job-2'], deletedImages: 2 });
      expect(await store.jobs.getJob('job-1')).toBeUndefined();
      expect(await store.jobs.getTask('job-1-task-0')).toBeUndefined();
      expect(await store.images.listImages({ jobId: 'job-1' })).toEqual([]);
      expect(await store.groups.getGroup(job.groupId)).toBeUndefined();
    });

    it('refuses to delete the contents while a job is unfinished (queued, processing or paused)', async () => {
      const store = await openStore();
      const job = await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2, groupName: 'Busy' });
      expect(await rejectionOf(store.groups.deleteGroup(job.groupId, { kind: 'delete' }))).toEqual({
        code: 'conflict',
        message: 'Group "Busy" has 1 unfinished job; cancel it before deleting the group with its images.',
      });
      await claim(store, baseMs);
      expect((await rejectionOf(store.groups.deleteGroup(job.groupId, { kind: 'delete' })))?.code).toBe('conflict');
      await store.control.pauseJob('job-1', undefined, baseMs);
      await store.jobs.createJob(jobInput({ jobId: 'job-2', groupId: job.groupId, taskCount: 1 }));
      expect((await rejectionOf(store.groups.deleteGroup(job.groupId, { kind: 'delete' })))?.message).toBe(
        'Group "Busy" has 2 unfinished jobs; cancel them before deleting the group with its images.',
      );
      expect(await store.jobs.getJob('job-1')).toBeDefined();
    });
  });
});
