import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleListJobs, handleSubmitJob, jobActionHandler } from '../../src/server/job-handlers.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, type ApiHarness } from './api-harness.js';

interface JobListBody {
  items: Array<{ id: string; groupId: string; name: string; mode: string; status: string; lane: string; counts: { total: number; pending: number }; progress: number; finishedAt: string | null }>;
  nextCursor: string | null;
}

describe('GET /api/jobs', () => {
  let harness: ApiHarness;
  const jobs: Record<string, { id: string; groupId: string }> = {};

  beforeEach(async () => {
    harness = await openApiHarness();
    // Created one after another, so "newest first" has a defined order.
    for (const [name, mode, groupName] of [['a', 'studio', 'Shoes'], ['b', 'studio', 'Shoes'], ['c', 'studio', 'Bags'], ['d', 'studio', 'Shoes'], ['e', 'studio', 'Shoes']] as const) {
      jobs[name] = await expectJson<{ id: string; groupId: string }>(
        await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: { mode, provider: 'local', name, groupName, items: [{ prompt: `prompt ${name}`, count: 2 }] } })),
        201,
      );
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  });
  afterEach(async () => harness.close());

  const list = async (query = '') => expectJson<JobListBody>(await call(handleListJobs, apiRequest(`/api/jobs${query}`)), 200);

  it('lists jobs newest first with their image counts, filtered by group, mode and status, page by page', async () => {
    const all = await list();
    expect(all.items.map((item) => item.name)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(all.items[0]).toMatchObject({ mode: 'studio', status: 'queued', lane: 'online', counts: { total: 2, pending: 2 }, progress: 0, finishedAt: null });
    expect(all.nextCursor).toBeNull();

    const shoes = jobs.a!.groupId;
    const firstPage = await list(`?groupId=${shoes}&limit=2`);
    expect(firstPage.items.map((item) => item.name)).toEqual(['e', 'd']);
    const secondPage = await list(`?groupId=${shoes}&limit=2&cursor=${firstPage.nextCursor}`);
    expect(secondPage.items.map((item) => item.name)).toEqual(['b', 'a']);
    expect((await list(`?groupId=${shoes}&limit=2&cursor=${secondPage.nextCursor}`)).items).toEqual([]);

    expect((await call(jobActionHandler('cancel'), apiRequest(`/api/jobs/${jobs.d!.id}/cancel`, { method: 'POST' }), { id: jobs.d!.id })).status).toBe(200);
    expect((await list('?status=canceled')).items.map((item) => item.name)).toEqual(['d']);
    expect((await list('?status=queued,canceled&mode=studio')).items.map((item) => item.name)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect((await list('?mode=automatic')).items).toEqual([]);
  });

  it('refuses bad filters, naming the field, and an unknown group with 404', async () => {
    await expectError(await call(handleListJobs, apiRequest('/api/jobs?status=running')), 400, 'invalid_input', ['status']);
    await expectError(await call(handleListJobs, apiRequest('/api/jobs?mode=manual')), 400, 'invalid_input', ['mode']);
    await expectError(await call(handleListJobs, apiRequest('/api/jobs?limit=0')), 400, 'invalid_input', ['limit']);
    await expectError(await call(handleListJobs, apiRequest('/api/jobs?cursor=not-a-cursor')), 400, 'invalid_input', ['cursor']);
    await expectError(await call(handleListJobs, apiRequest('/api/jobs?sort=asc')), 400, 'invalid_input', ['sort']);
    await expectError(await call(handleListJobs, apiRequest('/api/jobs?groupId=no-such-group')), 404, 'not_found');
  });
});
