import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewJobInput } from '../../../src/engine/ports.js';
import { rejectionOf } from '../../support/thrown-by.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';

/** A job of `taskCount` one-image calls, for group `groupId`. */
function newJob(groupId: string, taskCount = 1): NewJobInput {
  const jobId = randomUUID();
  const nowMs = 1_700_000_000_000;
  return {
    job: {
      id: jobId,
      mode: 'studio',
      groupId,
      name: 'contract job',
      provider: 'local',
      model: 'local-transform',
      settings: { size: '1K', aspectRatio: '1:1' },
      lane: 'online',
      priority: 'normal',
      execution: 'parallel',
      budgetUsd: undefined,
      estimatedCostUsd: 0,
      createdAtMs: nowMs,
    },
    tasks: Array.from({ length: taskCount }, (_, ordinal) => ({
      id: randomUUID(),
      key: `${jobId}:${ordinal}`,
      ordinal,
      prompt: 'a chair',
      promptId: 'p',
      referenceAssetIds: [],
      maskAssetId: undefined,
      imageCount: 1,
      seed: ordinal,
      setIndex: ordinal,
      variables: {},
      estimatedCostUsd: 0,
      createdAtMs: nowMs,
    })),
  };
}

describe.each(storeFactoriesWithPostgres())('store contract: a job creating its group ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  it('inserts the group when no group has the name, in the job transaction', async () => {
    opened = await factory.open();
    const { store } = opened;
    const groupId = randomUUID();
    const job = await store.jobs.createJob({ ...newJob(groupId), createGroup: { id: groupId, name: '  Chairs ' } });
    expect(job.groupId).toBe(groupId);
    expect(await store.groups.getGroup(groupId)).toMatchObject({ id: groupId, name: 'Chairs' });
  });

  it('puts the job in the group that has the name already, whatever its letter case', async () => {
    opened = await factory.open();
    const { store } = opened;
    const existing = await store.groups.createGroup('Chairs');
    const job = await store.jobs.createJob({ ...newJob(randomUUID()), createGroup: { id: randomUUID(), name: 'CHAIRS' } });
    expect(job.groupId).toBe(existing.id);
    expect(await store.groups.listGroupSummaries()).toHaveLength(1);
  });

  it('leaves no group when the job cannot be written, and refuses a name no group may have', async () => {
    opened = await factory.open();
    const { store } = opened;
    const input = newJob(randomUUID(), 2);
    const duplicateTaskIds = { ...input, tasks: input.tasks.map((task) => ({ ...task, id: input.tasks[0]!.id })) };
    await rejectionOf(() => store.jobs.createJob({ ...duplicateTaskIds, createGroup: { id: input.job.groupId, name: 'Sofas' } }));
    expect(await store.groups.findGroupByName('Sofas')).toBeUndefined();

    const refused = await rejectionOf(() => store.jobs.createJob({ ...newJob(randomUUID()), createGroup: { id: randomUUID(), name: '   ' } }));
    expect(refused.code).toBe('invalid_input');
    expect(await store.jobs.listJobs({})).toEqual([]);
  });
});
