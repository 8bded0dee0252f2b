import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleSubmitJob } from '../../src/server/job-handlers.js';
import { handleGetQueue, handlePatchQueue } from '../../src/server/queue-handlers.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, type ApiHarness } from './api-harness.js';

interface QueueBody {
  jobs: Array<{ id: string; name: string; status: string; priority: string; position: number; placement: string; counts: { total: number; pending: number }; progress: number }>;
}

describe('queue routes', () => {
  let harness: ApiHarness;
  const ids: Record<string, string> = {};

  beforeEach(async () => {
    harness = await openApiHarness();
    for (const [name, priority] of [['a', 'normal'], ['b', 'normal'], ['c', 'normal'], ['urgent', 'interactive'], ['later', 'bulk']] as const) {
      const body = await expectJson<{ id: string }>(await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: { mode: 'studio', provider: 'local', name, priority, items: [{ prompt: name, count: 3 }] } })), 201);
      ids[name] = body.id;
    }
  });
  afterEach(async () => harness.close());

  const queue = async () => expectJson<QueueBody>(await call(handleGetQueue, apiRequest('/api/queue')), 200);
  const patch = (json: unknown) => call(handlePatchQueue, apiRequest('/api/queue', { method: 'PATCH', json }));
  const names = (body: QueueBody) => body.jobs.map((job) => job.name);

  it('lists unfinished jobs in scheduling order with their progress', async () => {
    const body = await queue();
    expect(names(body)).toEqual(['urgent', 'a', 'b', 'c', 'later']);
    expect(body.jobs.map((job) => job.position)).toEqual([1, 2, 3, 4, 5]);
    expect(body.jobs[0]).toMatchObject({ status: 'queued', priority: 'interactive', placement: 'turns', counts: { total: 3, pending: 3 }, progress: 0 });
  });

  it('moves jobs first or last within their priority, back to taking turns, and changes priorities', async () => {
    expect(names(await expectJson<QueueBody>(await patch({ first: [ids.c, ids.b] }), 200))).toEqual(['urgent', 'c', 'b', 'a', 'later']);
    expect(names(await expectJson<QueueBody>(await patch({ last: [ids.c] }), 200))).toEqual(['urgent', 'b', 'a', 'c', 'later']);
    expect(names(await expectJson<QueueBody>(await patch({ priorities: [{ id: ids.later, priority: 'interactive' }] }), 200))).toEqual(['urgent', 'later', 'b', 'a', 'c']);
    const reset = await expectJson<QueueBody>(await patch({ reset: [ids.b, ids.c] }), 200);
    expect(reset.jobs.find((job) => job.name === 'b')?.placement).toBe('turns');
    expect(names(reset)).toEqual(['urgent', 'later', 'a', 'b', 'c']);
    // The claimer follows the same order: the first job claimed is the first in the queue.
    await patch({ first: [ids.c] });
    await patch({ priorities: [{ id: ids.urgent, priority: 'bulk' }, { id: ids.later, priority: 'bulk' }] });
    const claimed = await harness.fleet.store.queue.claimNext({
      nowMs: Date.now(),
      workerId: 'test',
      leaseMs: 10_000,
      providers: [{ providerKey: 'local:local-transform', providerId: 'local', requestsPerMinute: 0, maxConcurrency: 4, cooldownMs: 0, credentialFingerprint: undefined }],
    });
    expect(claimed?.job.name).toBe('c');
  });

  it('refuses bad changes with nothing changed', async () => {
    const before = names(await queue());
    await expectError(await patch({}), 400, 'invalid_input');
    await expectError(await patch({ first: [ids.a], last: [ids.a] }), 400, 'invalid_input', ['last.0']);
    await expectError(await patch({ first: 'a' }), 400, 'invalid_input', ['first']);
    await expectError(await patch({ priorities: [{ id: ids.a, priority: 'urgent' }] }), 400, 'invalid_input', ['priorities.0.priority']);
    await expectError(await patch({ first: [ids.a], shuffle: true }), 400, 'invalid_input', ['shuffle']);
    await expectError(await patch({ first: [ids.b, 'missing-job'] }), 404, 'not_found');
    await harness.fleet.engine.cancelJob(ids.a!);
    await expectError(await patch({ first: [ids.c, ids.a] }), 409, 'conflict');
    expect(names(await queue())).toEqual(before.filter((name) => name !== 'a'));
  });
});
