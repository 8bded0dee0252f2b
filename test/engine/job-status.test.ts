import { afterEach, describe, expect, it } from 'vitest';
import { getJobStatus } from '../../src/engine/job-status.js';
import { providerError } from '../../src/providers/contract.js';
import { createEngineHarness, waitFor, type EngineHarness } from '../support/engine-harness.js';
import { hang, ScriptedProvider, succeed } from '../support/scripted-provider.js';

describe('job status report', () => {
  let harness: EngineHarness | undefined;
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });

  it('counts images by state, groups errors by reason, and reports progress, rate and cost', async () => {
    const success = succeed();
    const provider = new ScriptedProvider({
      pricePerImageUsd: 0.5,
      script: (request, call) => {
        const ordinal = Number(request.prompt.split(' ').pop());
        if (ordinal === 0 || ordinal === 1) return Promise.reject(providerError('blocked', 'IMAGE_SAFETY'));
        if (ordinal === 2) return Promise.reject(providerError('invalid', 'unsupported aspect ratio'));
        return success(request, call);
      },
    });
    harness = await createEngineHarness({ providers: [provider] });
    const jobId = await harness.createJob({ taskCount: 6, imagesPerTask: 2, estimatedCostPerTaskUsd: 1 });
    harness.engine.start();
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'failed', 5_000, 'job finished');

    const report = await getJobStatus(jobId, { jobs: harness.store.jobs, clock: { now: () => Date.now(), sleep: () => Promise.resolve() } });
    expect(report.counts).toEqual({ total: 12, pending: 0, running: 0, completed: 6, failed: 2, blocked: 4, canceled: 0 });
    expect(report.progress).toBe(1);
    expect(report.ratePerMinute).toBeGreaterThan(0);
    expect(report.etaSeconds).toBeUndefined();
    expect(report.cost).toEqual({ estimatedUsd: 6, spentUsd: 3 });
    expect(report.errors).toEqual([
      { code: 'provider_blocked', message: 'IMAGE_SAFETY', taskCount: 2, status: 'blocked' },
      { code: 'provider_invalid', message: 'unsupported aspect ratio', taskCount: 1, status: 'failed' },
    ]);
  });

  it('reports running and pending images and an ETA while a job runs', async () => {
    let calls = 0;
    const success = succeed();
    const provider = new ScriptedProvider({ script: (request, call) => (++calls <= 2 ? success(request, call) : hang()(request, call)) });
    harness = await createEngineHarness({ providers: [provider], limits: { maxConcurrency: 1 } });
    const jobId = await harness.createJob({ taskCount: 5 });
    harness.engine.start();
    await waitFor(async () => (await harness!.taskStatuses(jobId)).running === 1 && (await harness!.taskStatuses(jobId)).completed === 2, 5_000, 'two done, one running');
    const report = await getJobStatus(jobId, { jobs: harness.store.jobs, clock: { now: () => Date.now(), sleep: () => Promise.resolve() } });
    expect(report.counts).toMatchObject({ total: 5, completed: 2, running: 1, pending: 2 });
    expect(report.progress).toBeCloseTo(0.4);
    expect(report.etaSeconds).toBeGreaterThan(0);
  });

  it('says not_found for an unknown job', async () => {
    harness = await createEngineHarness({ providers: [new ScriptedProvider()] });
    await expect(getJobStatus('missing', { jobs: harness.store.jobs, clock: { now: () => Date.now(), sleep: () => Promise.resolve() } })).rejects.toMatchObject({ code: 'not_found' });
  });
});
