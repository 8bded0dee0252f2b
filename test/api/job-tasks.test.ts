import { afterEach, describe, expect, it } from 'vitest';
import { handleSubmitJob } from '../../src/server/job-handlers.js';
import { taskListSchema } from '../../src/server/schemas/tasks.js';
import { handleJobTasks } from '../../src/server/task-handlers.js';
import { handleUpload } from '../../src/server/upload-handlers.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, pngBytes, until, uploadRequest, type ApiHarness } from './api-harness.js';

interface TaskList {
  jobId: string;
  items: Array<{
    id: string;
    ordinal: number;
    status: string;
    prompt: string;
    promptId: string;
    setIndex: number;
    seed: number | null;
    imageCount: number;
    referenceIds: string[];
    progress: number | null;
    errorMessage: string | null;
    imageIds: string[];
    finishedAt: string | null;
  }>;
  nextCursor: string | null;
}

describe('GET /api/jobs/{id}/tasks', () => {
  let harness: ApiHarness;
  afterEach(async () => harness?.close());

  const tasksOf = (jobId: string, query = '') => call(handleJobTasks, apiRequest(`/api/jobs/${jobId}/tasks${query}`), { id: jobId });

  async function submitStudio(items: unknown[], batchSize: 1 | 2 | 4 = 4): Promise<string> {
    const body = { mode: 'studio', provider: 'local', settings: { size: '512' }, batchSize, items };
    return (await expectJson<{ id: string }>(await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: body })), 201)).id;
  }

  it('lists the planned calls before they run: prompt, set, seed of the first image, image count', async () => {
    harness = await openApiHarness();
    const asset = await expectJson<{ id: string }>(await call(handleUpload, uploadRequest('/api/uploads', await pngBytes(50), 'ref.png')), 201);
    const jobId = await submitStudio([
      { referenceIds: [asset.id], prompt: 'warm light', count: 10, seed: 100 },
      { prompt: 'text only', count: 2, seed: 7 },
    ]);
    const list = await expectJson<TaskList>(await tasksOf(jobId), 200);
    expect(taskListSchema.parse(list)).toBeTruthy();
    expect(list.jobId).toBe(jobId);
    // 10 images in sets of 4 = 3 sets (4, 4, 2); the local model makes 4 per call, so one call per set.
    expect(list.items.map((task) => [task.promptId, task.setIndex, task.seed, task.imageCount, task.status])).toEqual([
      ['item-0-prompt-0', 0, 100, 4, 'queued'],
      ['item-0-prompt-0', 1, 104, 4, 'queued'],
      ['item-0-prompt-0', 2, 108, 2, 'queued'],
      ['item-1-prompt-0', 0, 7, 2, 'queued'],
    ]);
    expect(list.items[0]).toMatchObject({ prompt: 'warm light', referenceIds: [asset.id], progress: null, errorMessage: null, imageIds: [], finishedAt: null });
    expect(list.items[3]?.referenceIds).toEqual([]);
    expect(list.nextCursor).toBeNull();
  });

  it('gives completed tasks their image ids in output order and progress 1', async () => {
    harness = await openApiHarness();
    const jobId = await submitStudio([{ prompt: 'abstract', count: 3, seed: 41 }], 2);
    harness.fleet.start();
    await until(async () => (await harness.fleet.store.jobs.getJob(jobId))?.status === 'completed', 'the job to complete');
    const list = await expectJson<TaskList>(await tasksOf(jobId), 200);
    const images = await harness.fleet.store.images.listImages({ jobId });
    for (const task of list.items) {
      expect(task).toMatchObject({ status: 'completed', progress: 1 });
      const expected = images.filter((image) => image.taskId === task.id).sort((left, right) => left.index - right.index);
      expect(task.imageIds).toEqual(expected.map((image) => image.id));
      expect(expected.map((image) => image.seed)).toEqual(expected.map((_image, index) => (task.seed ?? 0) + index));
    }
    expect(list.items.map((task) => task.imageIds.length)).toEqual([2, 1]);
  });

  it('reports the progress of a running call while the provider works on it', async () => {
    harness = await openApiHarness({ IMAGEFLEET_LOCAL_LATENCY_MS: '4000', IMAGEFLEET_LOCAL_CONCURRENCY: '1' });
    const jobId = await submitStudio([{ prompt: 'slow', count: 8 }], 4);
    harness.fleet.start();
    let running: TaskList['items'][number] | undefined;
    await until(async () => {
      const list = await expectJson<TaskList>(await tasksOf(jobId), 200);
      running = list.items.find((task) => task.status === 'running' && task.progress !== null && task.progress > 0);
      return running !== undefined;
    }, 'a running task with progress');
    expect(running!.progress).toBeGreaterThan(0);
    expect(running!.progress).toBeLessThan(1);
  });

  it('pages in plan order with limit and cursor', async () => {
    harness = await openApiHarness();
    const jobId = await submitStudio([{ prompt: 'many sets', count: 5 }], 1);
    const first = await expectJson<TaskList>(await tasksOf(jobId, '?limit=2'), 200);
    expect(first.items.map((task) => task.ordinal)).toEqual([0, 1]);
    const second = await expectJson<TaskList>(await tasksOf(jobId, `?limit=2&cursor=${first.nextCursor}`), 200);
    expect(second.items.map((task) => task.ordinal)).toEqual([2, 3]);
    const third = await expectJson<TaskList>(await tasksOf(jobId, `?limit=2&cursor=${second.nextCursor}`), 200);
    expect(third.items.map((task) => task.ordinal)).toEqual([4]);
    expect(third.nextCursor).toBeNull();
  });

  it('refuses bad input: unknown job 404, malformed id, limit, cursor and unknown parameters 400', async () => {
    harness = await openApiHarness();
    await expectError(await tasksOf('no-such-job'), 404, 'not_found');
    await expectError(await call(handleJobTasks, apiRequest('/api/jobs/x/tasks'), { id: 'bad id!' }), 400, 'invalid_input', ['id']);
    const jobId = await submitStudio([{ prompt: 'x', count: 1 }], 1);
    await expectError(await tasksOf(jobId, '?limit=0'), 400, 'invalid_input', ['limit']);
    await expectError(await tasksOf(jobId, '?limit=1001'), 400, 'invalid_input', ['limit']);
    await expectError(await tasksOf(jobId, '?cursor=abc'), 400, 'invalid_input', ['cursor']);
    await expectError(await tasksOf(jobId, '?status=running'), 400, 'invalid_input', ['status']);
  });
});
