import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleEvents } from '../../src/server/events-handler.js';
import { handleSubmitJob, jobActionHandler } from '../../src/server/job-handlers.js';
import { serverState } from '../../src/server/server-state.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, until, type ApiHarness } from './api-harness.js';
import { SseReader } from './sse-reader.js';

describe('GET /api/events', () => {
  let harness: ApiHarness;
  let jobId: string;
  const controllers: AbortController[] = [];

  beforeEach(async () => {
    harness = await openApiHarness();
    const job = await expectJson<{ id: string }>(
      await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: { mode: 'studio', provider: 'local', settings: { size: '512' }, batchSize: 1, items: [{ prompt: 'a lamp', count: 3 }] } })),
      201,
    );
    jobId = job.id;
  });
  afterEach(async () => {
    for (const controller of controllers) controller.abort();
    controllers.length = 0;
    await harness.close();
  });

  const open = async (query: string, headers: Record<string, string> = {}) => {
    const controller = new AbortController();
    controllers.push(controller);
    const request = new Request(apiRequest(`/api/events${query}`, { headers }), { signal: controller.signal });
    const response = await call(handleEvents, request);
    return {
      response,
      controller,
      get reader() {
        return (this.cached ??= new SseReader(response.body!));
      },
      cached: undefined as SseReader | undefined,
    };
  };

  it('streams a job to completion with ids, then resumes after Last-Event-ID', async () => {
    const { response, reader } = await open(`?job=${jobId}`);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    harness.fleet.start();
    const frames = await reader.until((frame) => frame.event === 'job.finished');
    const stored = frames.filter((frame) => frame.id !== undefined);
    expect(stored.map((frame) => frame.event)).toEqual(expect.arrayContaining(['job.started', 'task.started', 'task.completed', 'job.finished']));
    expect(stored.filter((frame) => frame.event === 'task.completed')).toHaveLength(3);
    const ids = stored.map((frame) => Number(frame.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const finished = JSON.parse(stored[stored.length - 1]!.data) as Record<string, unknown>;
    expect(finished).toMatchObject({ type: 'job.finished', jobId, payload: { status: 'completed' }, id: ids[ids.length - 1] });
    expect(frames.every((frame) => (JSON.parse(frame.data) as { jobId: string }).jobId === jobId)).toBe(true);

    const resumed = await open(`?job=${jobId}`, { 'last-event-id': String(ids[1]) });
    const next = await resumed.reader.next();
    expect(next?.id).toBe(String(ids[2]));
    const afterQuery = await open(`?job=${jobId}&after=${ids[ids.length - 2]}`);
    expect((await afterQuery.reader.next())?.event).toBe('job.finished');
  });

  it('without a job filter starts with new events only', async () => {
    const { reader } = await open('');
    await call(jobActionHandler('pause'), apiRequest(`/api/jobs/${jobId}/pause`, { method: 'POST' }), { id: jobId });
    const frame = await reader.next();
    expect(frame?.event).toBe('job.paused');
    expect(reader.comments[0]).toMatch(/^connected; events after \d+$/);
  });

  it('stops and releases everything when the client goes', async () => {
    const { controller, reader } = await open(`?job=${jobId}`);
    expect(serverState(harness.fleet).eventStreams).toBe(1);
    controller.abort();
    await reader.cancel();
    await until(() => serverState(harness.fleet).eventStreams === 0, 'the stream to close');
  });

  it('refuses unknown jobs, bad ids and unknown parameters', async () => {
    await expectError((await open('?job=nope')).response, 404, 'not_found');
    await expectError((await open('', { 'last-event-id': 'yesterday' })).response, 400, 'invalid_input', ['Last-Event-ID']);
    await expectError((await open('?after=-1')).response, 400, 'invalid_input', ['after']);
    await expectError((await open('?jobs=1')).response, 400, 'invalid_input', ['jobs']);
    expect(serverState(harness.fleet).eventStreams).toBe(0);
  });
});
