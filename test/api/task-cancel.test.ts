import { afterEach, describe, expect, it } from 'vitest';
import { handleSubmitJob } from '../../src/server/job-handlers.js';
import { taskCancelResponseSchema } from '../../src/server/schemas/tasks.js';
import { handleCancelTask } from '../../src/server/task-handlers.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, until, type ApiHarness } from './api-harness.js';

describe('POST /api/tasks/{id}/cancel', () => {
  let harness: ApiHarness;
  afterEach(async () => harness?.close());

  const cancel = (taskId: string, json?: unknown) => call(handleCancelTask, apiRequest(`/api/tasks/${taskId}/cancel`, { method: 'POST', ...(json === undefined ? {} : { json }) }), { id: taskId });

  async function submit(count: number, batchSize: 1 | 2 | 4): Promise<string> {
    const body = { mode: 'studio', provider: 'local', settings: { size: '512' }, batchSize, items: [{ prompt: 'sets to cancel', count, seed: 5 }] };
    return (await expectJson<{ id: string }>(await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: body })), 201)).id;
  }

  const tasks = (jobId: string) => harness.fleet.store.jobs.listTasks(jobId, {});

  it('aborts a running call: the task ends canceled with no images, the other sets run, and the job completes', async () => {
    harness = await openApiHarness({ IMAGEFLEET_LOCAL_LATENCY_MS: '3000', IMAGEFLEET_LOCAL_CONCURRENCY: '1' });
    const jobId = await submit(3, 1);
    harness.fleet.start();
    let runningId = '';
    await until(async () => {
      runningId = (await tasks(jobId)).find((task) => task.status === 'running')?.id ?? '';
      return runningId !== '';
    }, 'a running task');
    const body = await expectJson(await cancel(runningId), 200);
    expect(taskCancelResponseSchema.parse(body)).toMatchObject({ id: runningId, status: 'canceled', job: { id: jobId, status: 'processing' } });
    await until(async () => (await harness.fleet.store.jobs.getJob(jobId))?.status === 'completed', 'the job to complete', 30_000);
    const finished = await tasks(jobId);
    expect(finished.map((task) => task.status).sort()).toEqual(['canceled', 'completed', 'completed']);
    const images = await harness.fleet.store.images.listImages({ jobId });
    expect(images).toHaveLength(2);
    expect(images.some((image) => image.taskId === runningId)).toBe(false);
    const events = await harness.fleet.store.events.readEvents(0, { jobId });
    expect(events.filter((event) => event.type === 'task.canceled').map((event) => event.taskId)).toEqual([runningId]);
    expect(events.filter((event) => event.type === 'task.completed' && event.taskId === runningId)).toEqual([]);
  });

  it('cancels queued tasks; canceling the last one finishes the job as canceled, and a repeat answers the same', async () => {
    harness = await openApiHarness();
    const jobId = await submit(2, 1);
    const [first, second] = await tasks(jobId);
    const one = await expectJson<{ job: { status: string } }>(await cancel(first!.id), 200);
    expect(one.job.status).toBe('queued');
    const two = await expectJson<{ job: { status: string } }>(await cancel(second!.id, {}), 200);
    expect(two.job.status).toBe('canceled');
    expect((await harness.fleet.store.jobs.getJob(jobId))?.status).toBe('canceled');
    const events = await harness.fleet.store.events.readEvents(0, { jobId });
    expect(events.filter((event) => event.type === 'job.finished').map((event) => event.payload.status)).toEqual(['canceled']);
    const again = await expectJson<{ id: string; status: string }>(await cancel(first!.id), 200);
    expect(again).toMatchObject({ id: first!.id, status: 'canceled' });
  });

  it('refuses a finished task (409), an unknown one (404), a malformed id and unknown body fields (400)', async () => {
    harness = await openApiHarness();
    const jobId = await submit(1, 1);
    harness.fleet.start();
    await until(async () => (await harness.fleet.store.jobs.getJob(jobId))?.status === 'completed', 'the job to complete');
    const [done] = await tasks(jobId);
    await expectError(await cancel(done!.id), 409, 'conflict');
    await expectError(await cancel('no-such-task'), 404, 'not_found');
    await expectError(await call(handleCancelTask, apiRequest('/api/tasks/x/cancel', { method: 'POST' }), { id: 'bad id' }), 400, 'invalid_input', ['id']);
    await expectError(await cancel(done!.id, { force: true }), 400, 'invalid_input', ['force']);
  });
});
