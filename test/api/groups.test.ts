import { blobFilePath } from '../support/blob-file-path.js';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleCreateGroup, handleDeleteGroup, handleGetGroup, handleListGroups, handlePatchGroup } from '../../src/server/group-handlers.js';
import { apiRequest, call, completedJob, expectError, expectJson, openApiHarness, type ApiHarness } from './api-harness.js';

interface GroupBody {
  id: string;
  name: string;
  jobCount: number;
  imageCount: number;
  createdAt: string;
  updatedAt: string;
}

describe('group routes', () => {
  let harness: ApiHarness;
  beforeEach(async () => {
    harness = await openApiHarness();
  });
  afterEach(async () => harness.close());

  const create = (name: unknown) => call(handleCreateGroup, apiRequest('/api/groups', { json: { name } }));
  const remove = (id: string, query = '') => call(handleDeleteGroup, apiRequest(`/api/groups/${id}${query}`, { method: 'DELETE' }), { id });

  it('creates, lists, reads and renames groups', async () => {
    const created = await create('Spring catalogue');
    const spring = await expectJson<GroupBody>(created, 201);
    expect(created.headers.get('location')).toBe(`/api/groups/${spring.id}`);
    expect(spring).toMatchObject({ name: 'Spring catalogue', jobCount: 0, imageCount: 0 });
    await expectJson(await create('autumn'), 201);
    const list = await expectJson<{ items: GroupBody[] }>(await call(handleListGroups, apiRequest('/api/groups')), 200);
    expect(list.items.map((group) => group.name)).toEqual(['autumn', 'Spring catalogue']);
    expect(await expectJson(await call(handleGetGroup, apiRequest(`/api/groups/${spring.id}`), { id: spring.id }), 200)).toMatchObject({ id: spring.id });
    const renamed = await expectJson<GroupBody>(await call(handlePatchGroup, apiRequest(`/api/groups/${spring.id}`, { method: 'PATCH', json: { name: 'Spring (final)' } }), { id: spring.id }), 200);
    expect(renamed.name).toBe('Spring (final)');
  });

  it('refuses bad names, duplicates in any case, unknown fields and unknown groups', async () => {
    await expectJson(await create('Shoes'), 201);
    await expectError(await create('SHOES'), 409, 'conflict');
    await expectError(await create(''), 400, 'invalid_input', ['name']);
    await expectError(await create('   '), 400, 'invalid_input', ['name']);
    await expectError(await create('x'.repeat(101)), 400, 'invalid_input', ['name']);
    await expectError(await create(12), 400, 'invalid_input', ['name']);
    await expectError(await create('bad\u0007bell'), 400, 'invalid_input', ['name']);
    await expectError(await call(handleCreateGroup, apiRequest('/api/groups', { json: { name: 'A', colour: 'red' } })), 400, 'invalid_input', ['colour']);
    await expectError(await call(handleGetGroup, apiRequest('/api/groups/nope'), { id: 'nope' }), 404, 'not_found');
    await expectError(await call(handlePatchGroup, apiRequest('/api/groups/nope', { method: 'PATCH', json: { name: 'B' } }), { id: 'nope' }), 404, 'not_found');
    await expectError(await remove('nope'), 404, 'not_found');
  });

  it('refuses to delete a non-empty group unless asked to move or delete its images', async () => {
    const { groupId, jobId, images } = await completedJob(harness, { prompts: ['a', 'b'] });
    const group = await expectJson<GroupBody>(await call(handleGetGroup, apiRequest(`/api/groups/${groupId}`), { id: groupId }), 200);
    expect(group).toMatchObject({ jobCount: 1, imageCount: 4 });
    await expectError(await remove(groupId), 409, 'conflict');
    await expectError(await remove(groupId, '?images=move'), 400, 'invalid_input', ['to']);
    await expectError(await remove(groupId, '?images=shred'), 400, 'invalid_input', ['images']);
    await expectError(await remove(groupId, '?images=move&to=nope'), 404, 'not_found');

    const target = await expectJson<GroupBody>(await create('Archive'), 201);
    expect(await expectJson(await remove(groupId, `?images=move&to=${target.id}`), 200)).toEqual({ deleted: true, movedJobs: 1, movedImages: 4, deletedJobs: 0, deletedImages: 0 });
    expect(await expectJson(await call(handleGetGroup, apiRequest(`/api/groups/${target.id}`), { id: target.id }), 200)).toMatchObject({ jobCount: 1, imageCount: 4 });
    expect((await harness.fleet.store.jobs.getJob(jobId))?.groupId).toBe(target.id);

    const file = blobFilePath(harness.fleet.blobs, images[0]!.fileKey);
    expect(existsSync(file)).toBe(true);
    expect(await expectJson(await remove(target.id, '?images=delete'), 200)).toEqual({ deleted: true, movedJobs: 0, movedImages: 0, deletedJobs: 1, deletedImages: 4 });
    expect(existsSync(file)).toBe(false);
    expect(await harness.fleet.store.jobs.getJob(jobId)).toBeUndefined();
    expect(await harness.fleet.store.images.listImages({})).toEqual([]);
  });

  it('refuses to delete a group with an unfinished job, even when asked to delete its images', async () => {
    const group = await expectJson<GroupBody>(await create('Busy'), 201);
    const { handleSubmitJob } = await import('../../src/server/job-handlers.js');
    await expectJson(await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: { mode: 'studio', provider: 'local', groupId: group.id, items: [{ prompt: 'x' }] } })), 201);
    const body = await expectError(await remove(group.id, '?images=delete'), 409, 'conflict');
    expect(body.error.message).toContain('cancel');
  });
});
