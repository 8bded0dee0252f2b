import { afterEach, describe, expect, it } from 'vitest';
import { providerError } from '../../src/providers/contract.js';
import { createEngineHarness, settle, waitFor, type EngineHarness } from '../support/engine-harness.js';
import { ManualClock } from '../support/manual-clock.js';
import { abortableDelay, ScriptedProvider, succeed, type Script } from '../support/scripted-provider.js';

/** Fails with `errors` in order, then succeeds. */
function failThen(errors: Error[]): Script {
  const success = succeed();
  return (request, call) => {
    const error = errors[call - 1];
    return error ? Promise.reject(error) : success(request, call);
  };
}

describe('engine failure classes', () => {
  let harness: EngineHarness | undefined;
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });

  it('backs off a transient failure by exponential backoff with full jitter, on the clock', async () => {
    const clock = new ManualClock();
    const provider = new ScriptedProvider({ script: failThen([providerError('transient', '503 overloaded'), providerError('transient', '503 overloaded')]) });
    // random() = 0.5: first retry waits 0.5 × 1000 ms, the second 0.5 × 2000 ms.
    harness = await createEngineHarness({ providers: [provider], clock, random: () => 0.5 });
    const jobId = await harness.createJob();
    harness.engine.start();

    await waitFor(() => provider.calls.length === 1, 5_000, 'first call');
    await waitFor(async () => (await harness!.store.jobs.listTasks(jobId, {}))[0]?.status === 'queued', 5_000, 'task requeued');
    const [afterFirst] = await harness.store.jobs.listTasks(jobId, {});
    expect(afterFirst?.availableAtMs).toBe(clock.now() + 500);
    expect(afterFirst?.attempts).toBe(1);

    clock.advance(499);
    await settle(80);
    expect(provider.calls).toHaveLength(1);
    clock.advance(1);
    await waitFor(() => provider.calls.length === 2, 5_000, 'second call at +500 ms');

    await waitFor(async () => (await harness!.store.jobs.listTasks(jobId, {}))[0]?.attempts === 2, 5_000, 'second failure recorded');
    const [afterSecond] = await harness.store.jobs.listTasks(jobId, {});
    expect(afterSecond!.availableAtMs - clock.now()).toBe(1000);
    clock.advance(999);
    await settle(80);
    expect(provider.calls).toHaveLength(2);
    clock.advance(1);
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'completed', 5_000, 'job completed');
    expect(provider.calls).toHaveLength(3);
  });

  it('fails a task after maxAttempts transient failures, with the last error', async () => {
    const provider = new ScriptedProvider({ script: () => Promise.reject(providerError('transient', 'connection reset')) });
    harness = await createEngineHarness({ providers: [provider], settings: { retryBaseMs: 1, retryMaxMs: 5, maxAttempts: 3 } });
    const jobId = await harness.createJob();
    harness.engine.start();
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'failed', 5_000, 'job failed');
    expect(provider.calls).toHaveLength(3);
    const [task] = await harness.store.jobs.listTasks(jobId, {});
    expect(task?.status).toBe('failed');
    expect(task?.lastErrorMessage).toMatch(/after 3 attempts.*connection reset/);
  });

  it('honours the server retry delay, holds the whole provider key, and uses no attempt on 429', async () => {
    const clock = new ManualClock();
    const errors = Array.from({ length: 6 }, () => providerError('rate_limited', 'RESOURCE_EXHAUSTED per minute', { retryAfterMs: 20_000 }));
    const provider = new ScriptedProvider({ script: failThen(errors) });
    // maxAttempts 2: six 429s in a row would fail the task if they counted.
    harness = await createEngineHarness({ providers: [provider], clock, settings: { maxAttempts: 2, maxInFlight: 1 } });
    const jobId = await harness.createJob({ taskCount: 2 });
    harness.engine.start();

    for (let limited = 1; limited <= 6; limited += 1) {
      await waitFor(() => provider.calls.length === limited, 5_000, `call ${limited}`);
      await waitFor(async () => (await harness!.taskStatuses(jobId)).running === undefined, 5_000, 'task set back');
      clock.advance(19_999);
      await settle(60);
      // Neither the limited task nor the other one may start before the delay is over.
      expect(provider.calls).toHaveLength(limited);
      clock.advance(1);
    }
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'completed', 5_000, 'job completed');
    const tasks = await harness.store.jobs.listTasks(jobId, {});
    expect(tasks.map((task) => task.attempts)).toEqual([0, 0]);
    const state = (await harness.store.queue.providerStates()).find((entry) => entry.scopeKey === 'scripted:scripted-model');
    expect(state?.nextRequestAtMs).toBeLessThanOrEqual(clock.now());
  });

  it('halves concurrency once on a burst of 429s and grows it back on success', async () => {
    const clock = new ManualClock();
    let limitedCalls = 0;
    const provider = new ScriptedProvider({
      script: async (request, call) => {
        if (call <= 8) {
          // Latency keeps all eight in flight before the first 429 lands, as with a real burst.
          await abortableDelay(100, request.signal);
          limitedCalls += 1;
          throw providerError('rate_limited', 'slow down', { retryAfterMs: 1_000 });
        }
        return succeed()(request, call);
      },
    });
    harness = await createEngineHarness({ providers: [provider], clock, limits: { maxConcurrency: 8 }, settings: { maxInFlight: 8 } });
    await harness.createJob({ taskCount: 8 });
    harness.engine.start();
    await waitFor(() => limitedCalls === 8, 5_000, 'eight 429s');
    await waitFor(async () => (await harness!.store.queue.providerStates()).some((state) => state.concurrencyLimit !== undefined), 5_000, 'limit recorded');
    const state = (await harness.store.queue.providerStates()).find((entry) => entry.scopeKey === 'scripted:scripted-model');
    expect(state?.concurrencyLimit).toBe(4);
  });

  it('does not retry a safety block or an invalid request', async () => {
    const provider = new ScriptedProvider({
      script: (request) =>
        Promise.reject(request.prompt.endsWith('0') ? providerError('blocked', 'IMAGE_SAFETY') : providerError('invalid', 'aspect ratio 7:3 is not supported')),
    });
    harness = await createEngineHarness({ providers: [provider] });
    const jobId = await harness.createJob({ taskCount: 2 });
    harness.engine.start();
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'failed', 5_000, 'job failed');
    expect(provider.calls).toHaveLength(2);
    expect(await harness.taskStatuses(jobId)).toEqual({ blocked: 1, failed: 1 });
    const job = await harness.store.jobs.getJob(jobId);
    expect(job?.statusReason).toMatch(/1 failed, 1 blocked/);
    const tasks = await harness.store.jobs.listTasks(jobId, {});
    expect(tasks.find((task) => task.status === 'failed')?.lastErrorMessage).toBe('aspect ratio 7:3 is not supported');
  });

  it('pauses the provider on a refused key, burns nothing while paused, and resumes when the key changes', async () => {
    const badKey = new ScriptedProvider({ credentialFingerprint: 'key-aaaa', script: () => Promise.reject(providerError('paused', 'The API key was refused (403); check GEMINI_API_KEY.')) });
    harness = await createEngineHarness({ providers: [badKey], limits: { maxConcurrency: 1 } });
    const jobId = await harness.createJob({ taskCount: 3 });
    harness.engine.start();
    await waitFor(async () => (await harness!.store.queue.providerStates()).some((state) => state.scopeKey === 'scripted' && state.pausedReason !== undefined), 5_000, 'paused');
    await settle(150);
    expect(badKey.calls).toHaveLength(1);
    expect(await harness.taskStatuses(jobId)).toEqual({ queued: 3 });
    const tasks = await harness.store.jobs.listTasks(jobId, {});
    expect(tasks.every((task) => task.attempts === 0)).toBe(true);

    const goodKey = new ScriptedProvider({ credentialFingerprint: 'key-bbbb' });
    harness.registry.replace(goodKey);
    harness.engine.wake();
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'completed', 5_000, 'completed with new key');
    expect(goodKey.calls).toHaveLength(3);
    expect((await harness.store.queue.providerStates()).find((state) => state.scopeKey === 'scripted')?.pausedReason).toBeUndefined();
  });

  it('pauses one model until the daily quota resets, then resumes by itself', async () => {
    const clock = new ManualClock();
    const provider = new ScriptedProvider({ script: failThen([providerError('paused', 'Daily quota exhausted', { retryAfterMs: 3_600_000 })]) });
    harness = await createEngineHarness({ providers: [provider], clock });
    const jobId = await harness.createJob({ taskCount: 1 });
    harness.engine.start();
    await waitFor(async () => (await harness!.store.queue.providerStates()).some((state) => state.pausedReason === 'Daily quota exhausted'), 5_000, 'paused');
    clock.advance(3_599_999);
    await settle(60);
    expect(provider.calls).toHaveLength(1);
    clock.advance(1);
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'completed', 5_000, 'completed after reset');
    expect(provider.calls).toHaveLength(2);
  });

  it('treats a reply without an image as transient', async () => {
    const provider = new ScriptedProvider({ script: failThen([]) });
    const success = succeed();
    provider.script = (request, call) => (call === 1 ? Promise.resolve({ images: [], warnings: [] }) : success(request, call));
    harness = await createEngineHarness({ providers: [provider], settings: { retryBaseMs: 1, retryMaxMs: 2 } });
    const jobId = await harness.createJob();
    harness.engine.start();
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'completed', 5_000, 'completed');
    const [task] = await harness.store.jobs.listTasks(jobId, {});
    expect(task?.attempts).toBe(1);
    expect(provider.calls).toHaveLength(2);
  });
});

describe('engine: corrupt provider output', () => {
  it('retries a reply whose image does not decode, and writes nothing for it', async () => {
    const success = succeed();
    const provider = new ScriptedProvider({
      script: (request, call) =>
        call === 1
          ? Promise.resolve({ images: [{ bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), mediaType: 'image/png', width: 8, height: 8 }], warnings: [] })
          : success(request, call),
    });
    const harness = await createEngineHarness({ providers: [provider], settings: { retryBaseMs: 1, retryMaxMs: 2 } });
    try {
      const jobId = await harness.createJob();
      harness.engine.start();
      await waitFor(async () => (await harness.store.jobs.getJob(jobId))?.status === 'completed', 5_000, 'completed');
      const [task] = await harness.store.jobs.listTasks(jobId, {});
      expect(task?.attempts).toBe(1);
      expect(task?.lastErrorCode).toBeUndefined();
      expect(await harness.store.images.listImages({ jobId })).toHaveLength(1);
    } finally {
      await harness.cleanup();
    }
  });
});
