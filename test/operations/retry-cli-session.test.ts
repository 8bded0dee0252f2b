import { afterEach, describe, expect, it } from 'vitest';
import { ImagefleetError } from '../../src/core/errors.js';
import { formatSessionJobId, sessionJobIdWidth } from '../../src/core/session-log.js';
import { systemClock } from '../../src/engine/system-clock.js';
import { retryCliSession } from '../../src/operations/retry-cli-session.js';
import { submitJob } from '../../src/operations/submit-job.js';
import { createEngineHarness, waitFor, type EngineHarness } from '../support/engine-harness.js';
import { ScriptedProvider, succeed } from '../support/scripted-provider.js';

let harness: EngineHarness | undefined;

afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

describe('retryCliSession', () => {
  it('wakes the engine for named calls: they run at once, not at the next idle poll', async () => {
    const provider = new ScriptedProvider();
    const succeeding = succeed();
    provider.script = (request, call) => (call === 1 ? Promise.reject(new ImagefleetError('provider_invalid', 'bad argument')) : succeeding(request, call));
    // A minute between idle looks: only a wake makes the engine claim within the test's wait.
    harness = await createEngineHarness({ providers: [provider], settings: { idlePollMs: 60_000 } });
    const { store, registry, engine } = harness;
    const submitted = await submitJob(
      { mode: 'studio', provider: 'scripted', model: 'scripted-model', items: [{ referenceAssetIds: [], prompts: [{ text: 'a chair', count: 1 }] }] },
      { jobs: store.jobs, assets: store.assets, groups: store.groups, providers: registry, limitsFor: () => ({ requestsPerMinute: 0, maxConcurrency: 2, cooldownMs: 0 }), clock: systemClock, random: Math.random, afterCreate: () => engine.wake() },
    );
    engine.start();
    const jobId = submitted.job!.id;
    await waitFor(async () => (await store.jobs.getJob(jobId))?.status === 'failed', 5_000, 'the call failed');

    const job = (await store.jobs.getJob(jobId))!;
    const retried = await retryCliSession(
      { session: { session_id: '20261121-153000-k3f9' }, job, callIds: [formatSessionJobId(0, sessionJobIdWidth(1))] },
      { store, engine, clock: systemClock },
    );
    expect(retried).toBe(1);
    await waitFor(async () => (await store.jobs.getJob(jobId))?.status === 'completed', 5_000, 'the retried call completed');
    expect(provider.calls).toHaveLength(2);
  });
});
