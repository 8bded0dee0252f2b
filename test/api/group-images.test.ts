import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleListGroupImages } from '../../src/server/group-handlers.js';
import { handlePatchImage } from '../../src/server/image-handlers.js';
import { resultsResponseSchema } from '../../src/server/schemas/jobs.js';
import { apiRequest, call, completedJob, expectError, expectJson, openApiHarness, type ApiHarness } from './api-harness.js';
import { sqliteDatabaseOf } from '../support/sqlite-database-of.js';

interface Page {
  items: Array<{ id: string; prompt: string; favorite: boolean; discarded: boolean; jobId: string; createdAt: string; provider?: string; model?: string; costUsd?: number; referenceIds: string[] }>;
  nextCursor: string | null;
}

describe('GET /api/groups/{id}/images', () => {
  let harness: ApiHarness;
  let first: Awaited<ReturnType<typeof completedJob>>;
  let second: Awaited<ReturnType<typeof completedJob>>;
  beforeEach(async () => {
    harness = await openApiHarness();
    first = await completedJob(harness, { prompts: ['red shoe', 'blue hat'], count: 3, seed: 10 });
    second = await completedJob(harness, { prompts: ['green scarf'], count: 2, seed: 90, groupId: first.groupId });
  });
  afterEach(async () => harness.close());

  const list = (groupId: string, query = '') => call(handleListGroupImages, apiRequest(`/api/groups/${groupId}/images${query}`), { id: groupId });

  it('pages through every image newest first, with what made each one', async () => {
    const seen: Page['items'] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await expectJson<Page>(await list(first.groupId, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`), 200);
      expect(resultsResponseSchema.safeParse(page).success).toBe(true);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(8);
    expect(new Set(seen.map((image) => image.id)).size).toBe(8);
    const times = seen.map((image) => Date.parse(image.createdAt));
    expect([...times].sort((left, right) => right - left)).toEqual(times);
    // The later job's images come first.
    expect(seen.slice(0, 2).every((image) => image.jobId === second.jobId)).toBe(true);
    expect(seen[0]).toMatchObject({ provider: 'local', model: 'local-transform', costUsd: 0 });
    expect(seen[0]!.referenceIds).toHaveLength(1);
  });

  it('filters by prompt, favourite, status and job', async () => {
    const target = first.images[0]!;
    await expectJson(await call(handlePatchImage, apiRequest(`/api/images/${target.id}`, { method: 'PATCH', json: { favorite: true } }), { id: target.id }), 200);
    const hidden = first.images[1]!;
    await expectJson(await call(handlePatchImage, apiRequest(`/api/images/${hidden.id}`, { method: 'PATCH', json: { discarded: true } }), { id: hidden.id }), 200);

    const byPrompt = await expectJson<Page>(await list(first.groupId, '?prompt=SCARF'), 200);
    expect(byPrompt.items.map((image) => image.prompt)).toEqual(['green scarf', 'green scarf']);
    const favourites = await expectJson<Page>(await list(first.groupId, '?favorite=1'), 200);
    expect(favourites.items.map((image) => image.id)).toEqual([target.id]);
    const kept = await expectJson<Page>(await list(first.groupId), 200);
    expect(kept.items).toHaveLength(7);
    expect(kept.items.some((image) => image.id === hidden.id)).toBe(false);
    const discarded = await expectJson<Page>(await list(first.groupId, '?status=discarded'), 200);
    expect(discarded.items.map((image) => image.id)).toEqual([hidden.id]);
    expect((await expectJson<Page>(await list(first.groupId, '?status=all'), 200)).items).toHaveLength(8);
    const ofJob = await expectJson<Page>(await list(first.groupId, `?job=${second.jobId}`), 200);
    expect(ofJob.items.every((image) => image.jobId === second.jobId)).toBe(true);
    expect(ofJob.items).toHaveLength(2);
  });

  it('refuses unknown groups, bad cursors, limits and unknown parameters, naming the field', async () => {
    await expectError(await list('no-such-group'), 404, 'not_found');
    await expectError(await list(first.groupId, '?cursor=garbage'), 400, 'invalid_input', ['cursor']);
    await expectError(await list(first.groupId, '?limit=0'), 400, 'invalid_input', ['limit']);
    await expectError(await list(first.groupId, '?limit=501'), 400, 'invalid_input', ['limit']);
    await expectError(await list(first.groupId, '?status=gone'), 400, 'invalid_input', ['status']);
    await expectError(await list(first.groupId, '?sort=name'), 400, 'invalid_input', ['sort']);
  });

  it('reads a page from the (group, time, id) index without sorting the group', async () => {
    const { db } = sqliteDatabaseOf(harness.fleet);
    const plan = await sql<{ detail: string }>`EXPLAIN QUERY PLAN
      SELECT images.id FROM images WHERE group_id = ${first.groupId} AND (created_at_ms < ${Date.now()} OR (created_at_ms = ${Date.now()} AND id < ${'z'}))
      ORDER BY created_at_ms DESC, id DESC LIMIT 101`.execute(db);
    const details = plan.rows.map((row) => row.detail).join('\n');
    expect(details).toContain('images_by_group_keyset');
    expect(details).not.toContain('TEMP B-TREE');
  });
});
