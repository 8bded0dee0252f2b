import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import { SqliteImageRepository } from '../../src/store/database/image-repository.js';
import { SqliteJobRepository } from '../../src/store/database/job-repository.js';
import type { SqliteDatabase } from '../../src/store/database/open-database.js';
import { buildJobInput, insertGroup, openTemporaryDatabase } from './store-test-helpers.js';

let database: SqliteDatabase;
let cleanup: () => Promise<void>;
let images: SqliteImageRepository;

beforeEach(async () => {
  ({ database, cleanup } = await openTemporaryDatabase());
  images = new SqliteImageRepository(database.db);
  const groupId = await insertGroup(database);
  await new SqliteJobRepository(database.db).createJob(buildJobInput({ groupId, taskCount: 2 }));
  // Images are written by the queue at completion; insert the rows it would write.
  await database.db
    .insertInto('images')
    .values(
      [0, 1, 2].map((index) => ({
        id: `image-${index}`,
        task_id: index < 2 ? 'job-1-task-0' : 'job-1-task-1',
        job_id: 'job-1',
        group_id: groupId,
        idx: index < 2 ? index : 0,
        file_key: `outputs/job-1/task-${index}.png`,
        thumbnail_key: `thumbnails/job-1/task-${index}.webp`,
        media_type: 'image/png',
        width: 1024,
        height: 1024,
        byte_size: 5000,
        seed: index === 2 ? null : 42 + index,
        prompt: 'a red chair',
        prompt_id: 'prompt-1',
        created_at_ms: index < 2 ? 100 : 200,
      })),
    )
    .execute();
});
afterEach(async () => {
  await cleanup();
});

describe('SqliteImageRepository', () => {
  it('maps rows to images', async () => {
    const image = await images.getImage('image-1');
    expect(image).toEqual({
      id: 'image-1',
      taskId: 'job-1-task-0',
      jobId: 'job-1',
      groupId: 'group-1',
      index: 1,
      fileKey: 'outputs/job-1/task-1.png',
      thumbnailKey: 'thumbnails/job-1/task-1.webp',
      mediaType: 'image/png',
      width: 1024,
      height: 1024,
      byteSize: 5000,
      seed: 43,
      prompt: 'a red chair',
      promptId: 'prompt-1',
      favorite: false,
      discarded: false,
      createdAtMs: 100,
    });
    expect((await images.getImage('image-2'))?.seed).toBeUndefined();
    expect(await images.getImage('missing')).toBeUndefined();
  });

  it('marks and unmarks favourites, durably, and filters on them', async () => {
    const marked = await images.setFavorite('image-1', true);
    expect(marked.favorite).toBe(true);
    expect((await images.getImage('image-1'))?.favorite).toBe(true);
    expect((await images.listImages({ favorite: true })).map((image) => image.id)).toEqual(['image-1']);
    expect((await images.listImages({ favorite: false })).map((image) => image.id)).toEqual(['image-2', 'image-0']);

    const unmarked = await images.setFavorite('image-1', false);
    expect(unmarked.favorite).toBe(false);
    expect(await images.listImages({ favorite: true })).toEqual([]);
  });

  it('refuses to mark an image that does not exist', async () => {
    const error: unknown = await images.setFavorite('missing', true).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('not_found');
  });

  it('lists newest first, then by index within a task, with filters and paging', async () => {
    expect((await images.listImages({})).map((image) => image.id)).toEqual(['image-2', 'image-0', 'image-1']);
    expect((await images.listImages({ jobId: 'job-1', limit: 2 })).map((image) => image.id)).toEqual(['image-2', 'image-0']);
    expect((await images.listImages({ offset: 1 })).map((image) => image.id)).toEqual(['image-0', 'image-1']);
    expect(await images.listImages({ groupId: 'other' })).toEqual([]);
  });
});
