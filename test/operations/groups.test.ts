/** Group use cases on a real store: create, read, rename, delete with the deleted jobs' files, and the gallery's pages. */
import { createOutputImageWriter } from '../../src/imaging/output-image-writer.js';
import { blobFilePath } from '../support/blob-file-path.js';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroup } from '../../src/operations/create-group.js';
import { deleteGroup } from '../../src/operations/delete-group.js';
import { getGroup } from '../../src/operations/get-group.js';
import { listGroupImages } from '../../src/operations/list-group-images.js';
import { listGroups } from '../../src/operations/list-groups.js';
import { renameGroup } from '../../src/operations/rename-group.js';
import { tinyPng } from '../support/scripted-provider.js';
import { rejectionOf } from '../support/thrown-by.js';
import { openOperationHarness, type OperationHarness } from './operation-harness.js';

describe('group operations', () => {
  let context: OperationHarness;
  beforeEach(async () => {
    context = await openOperationHarness();
  });
  afterEach(() => context.cleanup());

  it('creates, reads, renames and lists a group with its counts', async () => {
    const { store } = context.harness;
    const created = await createGroup({ name: 'Shoes' }, { store });
    expect(created).toMatchObject({ name: 'Shoes', jobCount: 0, imageCount: 0 });
    expect(await getGroup({ groupId: created.id }, { store })).toEqual(created);
    const renamed = await renameGroup({ groupId: created.id, name: 'Boots' }, { store });
    expect(renamed).toMatchObject({ id: created.id, name: 'Boots', jobCount: 0, imageCount: 0 });
    expect((await listGroups({}, { store })).map((group) => group.name)).toContain('Boots');
    expect(await rejectionOf(() => createGroup({ name: 'boots' }, { store }))).toMatchObject({ code: 'conflict' });
    expect(await rejectionOf(() => getGroup({ groupId: 'nope' }, { store }))).toMatchObject({ code: 'not_found' });
  });

  it('deleting a group with its contents removes the rows, then the deleted jobs\' files', async () => {
    const { harness, clock, logger } = context;
    const jobId = await harness.createJob();
    const job = await harness.store.jobs.getJob(jobId);
    const [task] = await harness.store.jobs.listTasks(jobId, {});
    const written = await createOutputImageWriter(harness.blobs).writeOutput({ jobId, taskId: task!.id, index: 0, bytes: await tinyPng(), mediaType: 'image/png' });
    expect(existsSync(blobFilePath(harness.blobs, written.fileKey))).toBe(true);
    expect(await rejectionOf(() => deleteGroup({ groupId: job!.groupId }, { store: harness.store, blobs: harness.blobs, logger }))).toMatchObject({ code: 'conflict' });

    await harness.store.control.cancelJob(jobId, clock.now());
    const result = await deleteGroup({ groupId: job!.groupId, disposal: { kind: 'delete' } }, { store: harness.store, blobs: harness.blobs, logger });
    expect(result).toMatchObject({ deletedJobIds: [jobId], movedJobs: 0 });
    expect(await harness.store.jobs.getJob(jobId)).toBeUndefined();
    expect(existsSync(blobFilePath(harness.blobs, written.fileKey))).toBe(false);
    expect(logger.lines).toEqual([]);
  });

  it('the gallery of an unknown group is not_found; an empty one has a total only on its first page', async () => {
    const { store } = context.harness;
    expect(await rejectionOf(() => listGroupImages({ groupId: 'nope', limit: 10 }, { store }))).toMatchObject({ code: 'not_found' });
    const group = await createGroup({ name: 'Empty' }, { store });
    expect(await listGroupImages({ groupId: group.id, limit: 10 }, { store })).toEqual({ images: [], hasMore: false, total: 0 });
    expect(await listGroupImages({ groupId: group.id, limit: 10, after: { createdAtMs: 1, id: 'x' } }, { store })).toEqual({ images: [], hasMore: false, total: null });
  });
});
