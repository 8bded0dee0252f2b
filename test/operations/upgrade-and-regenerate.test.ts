import { afterEach, describe, expect, it } from 'vitest';
import { plan } from '../../src/core/plan.js';
import { systemClock } from '../../src/engine/system-clock.js';
import { taskKey } from '../../src/core/task-key.js';
import { regenerateImage } from '../../src/operations/regenerate-image.js';
import { submitJob, type SubmitJobDependencies } from '../../src/operations/submit-job.js';
import { upgradeJob, type UpgradeJobDependencies } from '../../src/operations/upgrade-job.js';
import { createEngineHarness, waitFor, type EngineHarness } from '../support/engine-harness.js';
import { ScriptedProvider } from '../support/scripted-provider.js';

let harness: EngineHarness | undefined;

afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

/** A completed studio job on a real store and engine, and the operations' dependencies with a counting planner. */
async function completedJob() {
  harness = await createEngineHarness({ providers: [new ScriptedProvider({ maxImagesPerCall: 2 })] });
  const { store, registry, engine } = harness;
  const counts = { plans: 0 };
  const dependencies: SubmitJobDependencies & UpgradeJobDependencies = {
    jobs: store.jobs,
    assets: store.assets,
    groups: store.groups,
    providers: registry,
    limitsFor: () => ({ requestsPerMinute: 0, maxConcurrency: 2, cooldownMs: 0 }),
    clock: systemClock,
    random: Math.random,
    afterCreate: () => engine.wake(),
    planner: (spec, context) => {
      counts.plans += 1;
      return plan(spec, context);
    },
  };
  const submitted = await submitJob(
    {
      mode: 'studio',
      provider: 'scripted',
      model: 'scripted-model',
      batchSize: 4,
      settings: { size: '1K', aspectRatio: '3:4', negativePrompt: 'blur' },
      items: [
        { referenceAssetIds: [], prompts: [{ id: 'chair', text: 'a red chair', count: 3, seed: 40 }] },
        // The same call twice: keys apart by their occurrence.
        { referenceAssetIds: [], prompts: [{ id: 'lamp', text: 'a lamp', count: 1, seed: 9 }] },
        { referenceAssetIds: [], prompts: [{ id: 'lamp', text: 'a lamp', count: 1, seed: 9 }] },
      ],
    },
    dependencies,
  );
  engine.start();
  const jobId = submitted.job!.id;
  await waitFor(async () => (await store.jobs.getJob(jobId))?.status === 'completed', 10_000, 'job completed');
  counts.plans = 0;
  return { store, dependencies, counts, jobId };
}

describe('upgradeJob through the planner', () => {
  it('plans once and keys every call as the hand-built upgrade did: same prompt, seed and count, the new size', async () => {
    const { store, dependencies, counts, jobId } = await completedJob();
    const source = await store.jobs.listTasks(jobId, { statuses: ['completed'] });
    expect(source.map((task) => task.imageCount)).toEqual([2, 1, 1, 1]);

    const upgraded = await upgradeJob({ jobId, size: '2K', name: 'upgrade' }, dependencies);
    expect(counts.plans).toBe(1);
    // The keys the upgrade made before it went through plan(): taskKey over each completed call.
    const settings = { size: '2K' as const, aspectRatio: '3:4' as const, loras: undefined, providerOptions: undefined, negativePrompt: 'blur' };
    const occurrences = new Map<string, number>();
    const expectedKeys = source.map((task) => {
      const keyInput = { provider: 'scripted', model: 'scripted-model', prompt: task.prompt, referenceSha256s: [], maskSha256: undefined, seed: task.seed, imageCount: task.imageCount, settings };
      const baseKey = taskKey(keyInput);
      const occurrence = occurrences.get(baseKey) ?? 0;
      occurrences.set(baseKey, occurrence + 1);
      return occurrence === 0 ? baseKey : taskKey({ ...keyInput, occurrence });
    });
    expect(upgraded.tasks.map((task) => task.key)).toEqual(expectedKeys);
    expect(upgraded.tasks.map((task) => [task.promptId, task.seed, task.imageCount, task.setIndex])).toEqual(source.map((task) => [task.promptId, task.seed, task.imageCount, task.setIndex]));
    expect(upgraded.tasks.map((task) => task.variables.source_ordinal)).toEqual(source.map((task) => String(task.ordinal)));
    expect(upgraded.job?.settings.size).toBe('2K');
    expect(upgraded.job?.mode).toBe('studio');

    // Planned again (a dry run), the calls that now exist are left out.
    const again = await upgradeJob({ jobId, size: '2K', name: 'upgrade again' }, dependencies, { dryRun: true });
    expect(again.tasks.map((task) => task.key)).toEqual(expectedKeys);
  });
});

describe('regenerateImage through the planner', () => {
  it('submits one job spec, planned once, whose key is new', async () => {
    const { store, dependencies, counts, jobId } = await completedJob();
    const [image] = await store.images.listImages({ jobId, limit: 1 });
    const sourceTask = await store.jobs.getTask(image!.taskId);
    const result = await regenerateImage(
      image!.id,
      { kind: 'regenerate', seed: image!.seed },
      {
        store,
        submit: (spec, options) => submitJob(spec, dependencies, options),
        random: Math.random,
        modelSupport: () => ({ supportsStrength: true, maxReferenceImages: 4 }),
        imageAsReference: () => Promise.reject(new Error('not used without a strength')),
      },
    );
    expect(counts.plans).toBe(1);
    const [task] = result.plan.tasks;
    expect(task?.seed).toBe(image!.seed);
    expect(task?.prompt).toBe(sourceTask?.prompt);
    // The same spec planned without regenerate's salt keys the call otherwise: regenerate's key is new.
    const unsalted = await submitJob(result.spec, dependencies, { dryRun: true });
    expect(unsalted.plan.tasks[0]?.key).not.toBe(task?.key);
    expect((await store.jobs.completedTaskKeys([task!.key])).size).toBe(0);
  });
});
