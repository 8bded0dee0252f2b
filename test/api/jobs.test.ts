import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleJobResults, handleJobStatus, handleSubmitJob, jobActionHandler } from '../../src/server/job-handlers.js';
import { handleUpload } from '../../src/server/upload-handlers.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, pngBytes, until, uploadRequest, type ApiHarness } from './api-harness.js';

interface Submitted {
  id: string;
  groupId: string;
  status: string;
  plan: { tasks: number; images: number; estimate: { costUsd: number | null; costUsdByLane: Record<string, number>; durationSeconds: number; assumptions: string }; warnings: string[] };
}

describe('job routes', () => {
  let harness: ApiHarness;
  let assetIds: string[];

  beforeEach(async () => {
    harness = await openApiHarness();
    assetIds = [];
    for (const hue of [10, 90, 170]) {
      const asset = await expectJson<{ id: string }>(await call(handleUpload, uploadRequest('/api/uploads', await pngBytes(hue), `ref-${hue}.png`)), 201);
      assetIds.push(asset.id);
    }
  });
  afterEach(async () => harness.close());

  const submit = (body: unknown, query = '') => call(handleSubmitJob, apiRequest(`/api/jobs/submit${query}`, { json: body }));
  const jobCount = async () => (await harness.fleet.store.jobs.listJobs({})).length;

  describe('POST /api/jobs/submit', () => {
    it('creates a studio job from items: 201, Location, plan, seeds run on within an item', async () => {
      const response = await submit({
        mode: 'studio',
        provider: 'local',
        settings: { size: '512', aspectRatio: '4:3' },
        batchSize: 2,
        items: [
          { referenceIds: [assetIds[0]], prompt: 'red sneaker on sand', count: 3, seed: 100 },
          { prompt: 'blue sky, text to image', count: 1, seed: 4294967295 },
        ],
      });
      const body = await expectJson<Submitted>(response, 201);
      expect(response.headers.get('location')).toBe(`/api/jobs/${body.id}/status`);
      expect(body).toMatchObject({ status: 'queued', plan: { images: 4, estimate: { costUsd: 0 } } });
      const tasks = await harness.fleet.store.jobs.listTasks(body.id, {});
      expect(tasks.map((task) => [task.prompt, task.seed, task.imageCount])).toEqual([
        ['red sneaker on sand', 100, 2],
        ['red sneaker on sand', 102, 1],
        ['blue sky, text to image', 4294967295, 1],
      ]);
      const job = await harness.fleet.store.jobs.getJob(body.id);
      expect(job).toMatchObject({ mode: 'studio', model: 'local-transform', priority: 'interactive' });
    });

    it('accepts the automatic shorthand and the automatic items form as the same job', async () => {
      const shorthand = await expectJson<Submitted>(
        await submit({ mode: 'automatic', provider: 'local', referenceIds: assetIds, prompt: 'warm studio light', variationsPerImage: 2, seed: 7, settings: { size: '512' } }),
        201,
      );
      const items = await expectJson<Submitted>(
        await submit({
          mode: 'automatic',
          provider: 'local',
          settings: { size: '512' },
          items: assetIds.map((id, index) => ({ referenceIds: [id], prompt: 'warm studio light', count: 2, ...(index === 0 ? { seed: 7 } : {}) })),
        }),
        201,
      );
      const seedsOf = async (jobId: string) => (await harness.fleet.store.jobs.listTasks(jobId, {})).map((task) => [task.referenceAssetIds[0], task.seed]);
      expect(await seedsOf(items.id)).toEqual(await seedsOf(shorthand.id));
      expect(await seedsOf(shorthand.id)).toEqual([
        [assetIds[0], 7],
        [assetIds[0], 8],
        [assetIds[1], 9],
        [assetIds[1], 10],
        [assetIds[2], 11],
        [assetIds[2], 12],
      ]);
      expect((await harness.fleet.store.jobs.getJob(items.id))?.mode).toBe('automatic');
    });

    it('answers a dry run with the plan and creates nothing', async () => {
      const body = await expectJson<{ dryRun: boolean; groupId: string | null; plan: Submitted['plan'] }>(
        await submit({ mode: 'automatic', provider: 'local', referenceIds: assetIds, prompt: 'x', variationsPerImage: 4, groupName: 'Not yet' }, '?dryRun=1'),
        200,
      );
      expect(body).toMatchObject({ dryRun: true, groupId: null, plan: { tasks: 12, images: 12, estimate: { costUsdByLane: { online: 0 } } } });
      expect(body.plan.estimate.assumptions).toContain('12 images');
      expect(await jobCount()).toBe(0);
      expect(await harness.fleet.store.groups.listGroupSummaries()).toEqual([]);
    });

    it('creates the named group when it does not exist, and reuses it (any case) afterwards', async () => {
      const first = await expectJson<Submitted>(await submit({ mode: 'studio', provider: 'local', groupName: 'Spring', items: [{ prompt: 'a' }] }), 201);
      const second = await expectJson<Submitted>(await submit({ mode: 'studio', provider: 'local', groupName: 'spring', items: [{ prompt: 'b' }] }), 201);
      expect(second.groupId).toBe(first.groupId);
      expect((await harness.fleet.store.groups.getGroup(first.groupId))?.name).toBe('Spring');
    });

    it('leaves no group behind when a job with a new group name is refused', async () => {
      await expectError(await submit({ mode: 'studio', provider: 'local', groupName: 'Doomed', settings: { size: '512' }, items: [{ referenceIds: ['nope'], prompt: 'x' }] }), 400, 'invalid_input', ['items.0.referenceIds.0']);
      expect(await harness.fleet.store.groups.listGroupSummaries()).toEqual([]);
    });

    it.each([
      ['a wrong type', { mode: 'studio', provider: 'local', items: [{ prompt: 42 }] }, ['items.0.prompt']],
      ['a huge count', { mode: 'studio', provider: 'local', items: [{ prompt: 'x', count: 1e300 }] }, ['items.0.count']],
      ['a fractional count', { mode: 'studio', provider: 'local', items: [{ prompt: 'x', count: 1.5 }] }, ['items.0.count']],
      ['a seed out of range', { mode: 'studio', provider: 'local', items: [{ prompt: 'x', seed: 4294967296 }] }, ['items.0.seed']],
      ['a negative seed', { mode: 'studio', provider: 'local', items: [{ prompt: 'x', seed: -1 }] }, ['items.0.seed']],
      ['an unknown field', { mode: 'studio', provider: 'local', items: [{ prompt: 'x' }], colour: 'red' }, ['colour']],
      ['an unknown nested field', { mode: 'studio', provider: 'local', settings: { sharpness: 3 }, items: [{ prompt: 'x' }] }, ['settings.sharpness']],
      ['an unknown mode', { mode: 'turbo', provider: 'local', items: [{ prompt: 'x' }] }, ['mode']],
      ['no items', { mode: 'studio', provider: 'local', items: [] }, ['items']],
      ['a missing provider', { mode: 'studio', items: [{ prompt: 'x' }] }, ['provider']],
      ['an unknown provider', { mode: 'studio', provider: 'dall-e', items: [{ prompt: 'x' }] }, ['provider']],
      ['an unknown model', { mode: 'studio', provider: 'local', model: 'sdxl', items: [{ prompt: 'x' }] }, ['model']],
      ['a blank prompt', { mode: 'studio', provider: 'local', items: [{ prompt: '   ' }] }, ['items.0.prompt']],
      ['a bad size', { mode: 'studio', provider: 'local', settings: { size: '8K' }, items: [{ prompt: 'x' }] }, ['settings.size']],
      ['a bad batch size', { mode: 'studio', provider: 'local', batchSize: 3, items: [{ prompt: 'x' }] }, ['batchSize']],
      ['a huge budget', { mode: 'studio', provider: 'local', budgetUsd: 1e308, items: [{ prompt: 'x' }] }, ['budgetUsd']],
      ['groupId and groupName', { mode: 'studio', provider: 'local', groupId: 'a', groupName: 'b', items: [{ prompt: 'x' }] }, ['groupName']],
      ['a group name with a control character', { mode: 'studio', provider: 'local', groupName: 'bell\u0007', items: [{ prompt: 'x' }] }, ['groupName']],
      ['too many images', { mode: 'studio', provider: 'local', items: Array.from({ length: 101 }, () => ({ prompt: 'x', count: 1000 })) }, ['']],
      ['an array body', [1, 2, 3], ['']],
      ['null', null, ['']],
    ])('refuses %s with 400 naming the field, and writes nothing', async (_label, body, paths) => {
      await expectError(await submit(body), 400, 'invalid_input', paths);
      expect(await jobCount()).toBe(0);
    });

    it('names the API fields in errors the planner reports', async () => {
      const studio = await expectError(await submit({ mode: 'studio', provider: 'local', settings: { maskId: assetIds[0] }, items: [{ referenceIds: ['missing-id'], prompt: 'x', count: 2 }] }), 400, 'invalid_input');
      expect(studio.error.details?.issues?.map((issue) => issue.path)).toEqual(['items.0.referenceIds.0']);
      expect(studio.error.message).toContain('items.0.referenceIds.0: unknown asset id');
      expect(studio.error.message).not.toContain('referenceAssetIds');
      const automatic = await expectError(await submit({ mode: 'automatic', provider: 'local', items: [{ referenceIds: [assetIds[0]], prompt: 'x' }, { referenceIds: ['gone'], prompt: 'x' }] }), 400, 'invalid_input');
      expect(automatic.error.details?.issues?.map((issue) => issue.path)).toEqual(['items.1.referenceIds.0']);
      const shorthand = await expectError(await submit({ mode: 'automatic', provider: 'local', referenceIds: ['gone'], prompt: 'x' }), 400, 'invalid_input');
      expect(shorthand.error.details?.issues?.map((issue) => issue.path)).toEqual(['referenceIds.0']);
    });

    it('refuses automatic items that are not one prompt over single references', async () => {
      const body = await expectError(
        await submit({
          mode: 'automatic',
          provider: 'local',
          items: [
            { referenceIds: [assetIds[0]], prompt: 'one', count: 2, seed: 5 },
            { referenceIds: [assetIds[1], assetIds[2]], prompt: 'two', count: 3, seed: 999 },
          ],
        }),
        400,
        'invalid_input',
      );
      expect(body.error.details?.issues?.map((issue) => issue.path)).toEqual(['items.1.referenceIds', 'items.1.prompt', 'items.1.count', 'items.1.seed']);
      expect(body.error.message).toContain('use mode studio');
    });

    it('refuses malformed JSON, a wrong content type and an oversized body', async () => {
      await expectError(await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: '{"mode": "studio",' })), 400, 'invalid_input');
      await expectError(await call(handleSubmitJob, apiRequest('/api/jobs/submit', { body: 'mode=studio', headers: { 'content-type': 'application/x-www-form-urlencoded' } })), 415, 'unsupported_media_type');
      await expectError(await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: { mode: 'studio', provider: 'local', items: [{ prompt: 'x'.repeat(9 * 1024 * 1024) }] } })), 413, 'payload_too_large');
      await expectError(await submit({ mode: 'studio', provider: 'local', items: [{ prompt: 'x' }] }, '?dryRun=maybe'), 400, 'invalid_input', ['dryRun']);
      await expectError(await submit({ mode: 'studio', provider: 'local', items: [{ prompt: 'x' }] }, '?debug=1'), 400, 'invalid_input', ['debug']);
      expect(await jobCount()).toBe(0);
    });
  });

  describe('status, results and control', () => {
    it('reports status and pages results with filters until the job completes', async () => {
      const job = await expectJson<Submitted>(
        await submit({
          mode: 'studio',
          provider: 'local',
          settings: { size: '512' },
          batchSize: 1,
          items: [
            { referenceIds: [assetIds[0]], prompt: 'Golden hour portrait', count: 3, seed: 1 },
            { referenceIds: [assetIds[1]], prompt: 'night street', count: 2, seed: 50 },
          ],
        }),
        201,
      );
      const queued = await expectJson<Record<string, unknown>>(await call(handleJobStatus, apiRequest(`/api/jobs/${job.id}/status`), { id: job.id }), 200);
      expect(queued).toMatchObject({
        id: job.id,
        groupId: job.groupId,
        status: 'queued',
        counts: { total: 5, pending: 5, running: 0, completed: 0, failed: 0, blocked: 0, canceled: 0 },
        progress: 0,
        etaSeconds: null,
        cost: { estimatedUsd: 0, spentUsd: 0 },
        errors: [],
      });

      harness.fleet.start();
      await until(async () => (await harness.fleet.store.jobs.getJob(job.id))?.status === 'completed', 'the job to complete');
      const done = await expectJson<Record<string, unknown>>(await call(handleJobStatus, apiRequest(`/api/jobs/${job.id}/status`), { id: job.id }), 200);
      expect(done).toMatchObject({ status: 'completed', progress: 1, counts: { total: 5, completed: 5 } });

      const results = (query: string) => call(handleJobResults, apiRequest(`/api/jobs/${job.id}/results${query}`), { id: job.id });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Array<Record<string, unknown>>; nextCursor: string | null } = await expectJson(await results(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`), 200);
        expect(page.items.length).toBeLessThanOrEqual(2);
        for (const item of page.items) {
          seen.push(String(item.id));
          expect(item).toMatchObject({ url: `/api/images/${String(item.id)}`, thumbUrl: `/api/images/${String(item.id)}/thumb`, favorite: false });
          expect(typeof item.width).toBe('number');
          expect(typeof item.height).toBe('number');
          expect(item.referenceIds).toHaveLength(1);
          expect(typeof item.createdAt).toBe('string');
        }
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(new Set(seen).size).toBe(5);

      const golden = await expectJson<{ items: Array<{ prompt: string; seed: number }> }>(await results('?prompt=GOLDEN'), 200);
      expect(golden.items.map((item) => item.seed).sort((a, b) => a - b)).toEqual([1, 2, 3]);
      await harness.fleet.store.images.setFavorite(seen[0]!, true);
      const favorites = await expectJson<{ items: Array<{ id: string }> }>(await results('?favorite=1'), 200);
      expect(favorites.items.map((item) => item.id)).toEqual([seen[0]]);
      await harness.fleet.store.images.setDiscarded(seen[1]!, true);
      expect((await expectJson<{ items: unknown[] }>(await results(''), 200)).items).toHaveLength(4);
      expect((await expectJson<{ items: unknown[] }>(await results('?status=all'), 200)).items).toHaveLength(5);
      expect((await expectJson<{ items: unknown[] }>(await results('?status=discarded'), 200)).items).toHaveLength(1);
    });

    it('answers 404 for unknown jobs and 400 for malformed ids, limits and cursors', async () => {
      await expectError(await call(handleJobStatus, apiRequest('/api/jobs/nope/status'), { id: 'nope' }), 404, 'not_found');
      await expectError(await call(handleJobStatus, apiRequest('/api/jobs/..%2f/status'), { id: '../' }), 400, 'invalid_input', ['id']);
      await expectError(await call(handleJobResults, apiRequest('/api/jobs/nope/results'), { id: 'nope' }), 404, 'not_found');
      const job = await expectJson<Submitted>(await submit({ mode: 'studio', provider: 'local', items: [{ prompt: 'x' }] }), 201);
      const results = (query: string) => call(handleJobResults, apiRequest(`/api/jobs/${job.id}/results${query}`), { id: job.id });
      await expectError(await results('?limit=0'), 400, 'invalid_input', ['limit']);
      await expectError(await results('?limit=100000'), 400, 'invalid_input', ['limit']);
      await expectError(await results('?limit=ten'), 400, 'invalid_input', ['limit']);
      await expectError(await results('?cursor=garbage'), 400, 'invalid_input', ['cursor']);
      await expectError(await results('?status=deleted'), 400, 'invalid_input', ['status']);
    });

    it('pauses, resumes, cancels and retries, refusing what the state does not allow', async () => {
      const job = await expectJson<Submitted>(await submit({ mode: 'studio', provider: 'local', items: [{ prompt: 'x', count: 8 }] }), 201);
      const act = (action: 'pause' | 'resume' | 'cancel' | 'retry-failed', json?: unknown) =>
        call(jobActionHandler(action), apiRequest(`/api/jobs/${job.id}/${action}`, { method: 'POST', ...(json === undefined ? {} : { json }) }), { id: job.id });

      expect(await expectJson(await act('pause', { reason: 'lunch' }), 200)).toEqual({ id: job.id, status: 'paused', statusReason: 'lunch' });
      expect(await expectJson(await act('resume'), 200)).toMatchObject({ id: job.id, status: 'queued' });
      await expectError(await act('pause', { reason: 42 }), 400, 'invalid_input', ['reason']);
      await expectError(await act('resume', { force: true }), 400, 'invalid_input', ['force']);
      expect(await expectJson(await act('retry-failed'), 200)).toMatchObject({ retriedTasks: 0 });
      expect(await expectJson(await act('cancel'), 200)).toMatchObject({ status: 'canceled' });
      await expectError(await act('resume'), 409, 'conflict');
      await expectError(await act('pause'), 409, 'conflict');
      await expectError(await act('retry-failed'), 409, 'conflict');
      await expectError(await call(jobActionHandler('cancel'), apiRequest('/api/jobs/missing/cancel', { method: 'POST' }), { id: 'missing' }), 404, 'not_found');
    });
  });
});
