import { afterEach, describe, expect, it } from 'vitest';
import { createEngineHarness, waitFor, type EngineHarness } from '../support/engine-harness.js';
import { ScriptedProvider, succeed } from '../support/scripted-provider.js';

describe('several engines on one store', () => {
  const harnesses: EngineHarness[] = [];
  afterEach(async () => {
    for (const harness of harnesses.reverse()) await harness.cleanup();
    harnesses.length = 0;
  });

  it('runs every task exactly once and holds the shared concurrency cap', async () => {
    let inFlight = 0;
    let peak = 0;
    const success = succeed();
    const script = async (request: Parameters<typeof success>[0], call: number) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      return success(request, call);
    };
    const providers = [0, 1, 2].map(() => new ScriptedProvider({ script }));
    const first = await createEngineHarness({ providers: [providers[0]!], limits: { maxConcurrency: 5 }, settings: { maxInFlight: 2 } });
    harnesses.push(first);
    for (const provider of providers.slice(1)) {
      harnesses.push(await createEngineHarness({ providers: [provider], store: first.store, directory: first.directory, limits: { maxConcurrency: 5 }, settings: { maxInFlight: 2 } }));
    }
    const jobId = await first.createJob({ taskCount: 300 });
    for (const harness of harnesses) harness.engine.start();
    await waitFor(async () => (await first.store.jobs.getJob(jobId))?.status === 'completed', 20_000, 'job completed');

    const prompts = providers.flatMap((provider) => provider.calls.map((call) => call.prompt));
    expect(prompts).toHaveLength(300);
    expect(new Set(prompts).size).toBe(300);
    // Each engine holds at most 2 calls, so the shared cap of 5 can only be reached together.
    expect(providers.filter((provider) => provider.calls.length > 0).length).toBe(3);
    expect(peak).toBeGreaterThan(2);
    expect(peak).toBeLessThanOrEqual(5);
    expect(await first.store.images.listImages({ jobId, limit: 1000 })).toHaveLength(300);
  });
});
