import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { plan } from '../../src/core/plan.js';
import { systemClock } from '../../src/engine/system-clock.js';
import type { NewJobInput } from '../../src/engine/ports.js';
import { submitJob, type SubmitJobDependencies } from '../../src/operations/submit-job.js';
import { createEngineHarness, waitFor, type EngineHarness } from '../support/engine-harness.js';
import { ScriptedProvider } from '../support/scripted-provider.js';
import { rejectionOf } from '../support/thrown-by.js';

let harness: EngineHarness | undefined;

afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

/** The submit operation's dependencies over a real SQLite store, with a planner that counts its calls. */
async function setUp(overrides: Partial<SubmitJobDependencies> = {}) {
  harness = await createEngineHarness({ providers: [new ScriptedProvider()] });
  const { store, registry } = harness;
  const counts = { plans: 0, wakes: 0 };
  const dependencies: SubmitJobDependencies = {
    jobs: store.jobs,
    assets: store.assets,
    groups: store.groups,
    providers: registry,
    limitsFor: () => ({ requestsPerMinute: 0, maxConcurrency: 2, cooldownMs: 0 }),
    clock: systemClock,
    random: () => 0.5,
    afterCreate: () => void (counts.wakes += 1),
    planner: (spec, context) => {
      counts.plans += 1;
      return plan(spec, context);
    },
    ...overrides,
  };
  return { store, dependencies, counts };
}

const spec = { mode: 'studio', provider: 'scripted', model: 'scripted-model', items: [{ referenceAssetIds: [], prompts: [{ text: 'a red chair', count: 2, seed: 7 }] }] };

describe('submitJob', () => {
  it('plans once per submit and wakes the engine once the job is committed', async () => {
    const { dependencies, counts } = await setUp();
    const result = await submitJob(spec, dependencies);
    expect(result.job?.status).toBe('queued');
    expect(counts).toEqual({ plans: 1, wakes: 1 });

    await submitJob(spec, dependencies, { dryRun: true });
    expect(counts).toEqual({ plans: 2, wakes: 1 });
  });

  it('plans once for a new group name and creates the group with the job', async () => {
    const { store, dependencies, counts } = await setUp();
    const result = await submitJob(spec, dependencies, { groupName: 'Chairs' });
    expect(counts.plans).toBe(1);
    const group = await store.groups.findGroupByName('chairs');
    expect(group?.name).toBe('Chairs');
    expect(result.job?.groupId).toBe(group?.id);
    expect(result.groupId).toBe(group?.id);

    // Named again, in another letter case: the same group, not a second one.
    const again = await submitJob(spec, dependencies, { groupName: 'CHAIRS' });
    expect(again.job?.groupId).toBe(group?.id);
    expect((await store.groups.listGroups()).filter((candidate) => candidate.name.toLowerCase() === 'chairs')).toHaveLength(1);
  });

  it('a dry run with a new group name creates nothing and names no group', async () => {
    const { store, dependencies } = await setUp();
    const result = await submitJob(spec, dependencies, { groupName: 'Tables', dryRun: true });
    expect(result.job).toBeUndefined();
    expect(result.groupId).toBeUndefined();
    expect(await store.groups.findGroupByName('Tables')).toBeUndefined();
  });

  it('a job whose creation fails leaves no group behind (the group is created in the job transaction)', async () => {
    const { store, dependencies } = await setUp();
    // The real repository, given two tasks with one id: the insert fails inside the transaction.
    const failingJobs: SubmitJobDependencies['jobs'] = {
      recentCalls: (...args) => store.jobs.recentCalls(...args),
      completedTaskKeys: (...args) => store.jobs.completedTaskKeys(...args),
      createJob: (input: NewJobInput) => store.jobs.createJob({ ...input, tasks: input.tasks.map((task) => ({ ...task, id: input.tasks[0]!.id })) }),
    };
    // Two calls (sets of one), so two task rows.
    const error = await rejectionOf(() => submitJob({ ...spec, batchSize: 1 }, { ...dependencies, jobs: failingJobs }, { groupName: 'Sofas' }));
    expect(error.code).toBe('conflict');
    expect(await store.groups.findGroupByName('Sofas')).toBeUndefined();
    expect(await store.jobs.listJobs({})).toHaveLength(0);
  });

  it('refuses a group name no group may have, naming groupName, and writes nothing', async () => {
    const { store, dependencies } = await setUp();
    const error = await rejectionOf(() => submitJob(spec, dependencies, { groupName: 'bad\u0007name' }));
    expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: 'groupName' }] });
    expect(await store.jobs.listJobs({})).toHaveLength(0);
  });

  it('refuses groupId together with groupName', async () => {
    const { dependencies, counts } = await setUp();
    const error = await rejectionOf(() => submitJob({ ...spec, groupId: randomUUID() }, dependencies, { groupName: 'Chairs' }));
    expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: 'groupName' }] });
    expect(counts.plans).toBe(0);
  });

  it('with skipEmptyJob creates nothing when every call already completed, and runs beforeCreate only when it creates', async () => {
    const { store, dependencies } = await setUp();
    const first = await submitJob(spec, dependencies);
    // Mark the calls completed through the real queue: claim and complete them.
    harness!.engine.start();
    await waitFor(async () => (await store.jobs.getJob(first.job!.id))?.status === 'completed', 10_000, 'job completed');
    const before: string[] = [];
    const again = await submitJob(spec, dependencies, { skipCompletedKeys: true, skipEmptyJob: true, beforeCreate: (jobId) => Promise.resolve(void before.push(jobId)) });
    expect(again.job).toBeUndefined();
    expect(again.skippedTaskCount).toBe(again.plan.tasks.length);
    expect(before).toEqual([]);

    const created = await submitJob({ ...spec, items: [{ referenceAssetIds: [], prompts: [{ text: 'a blue chair', count: 1, seed: 7 }] }] }, dependencies, {
      skipCompletedKeys: true,
      skipEmptyJob: true,
      beforeCreate: (jobId) => Promise.resolve(void before.push(jobId)),
    });
    expect(before).toEqual([created.job?.id]);
  });
});
