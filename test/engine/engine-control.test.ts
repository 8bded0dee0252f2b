import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/core/events.js';
import { createEngineHarness, settle, waitFor, type EngineHarness } from '../support/engine-harness.js';
import { ManualClock } from '../support/manual-clock.js';
import { hang, ScriptedProvider, succeed } from '../support/scripted-provider.js';

describe('engine control and scheduling', () => {
  let harness: EngineHarness | undefined;
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });

  it('stops claiming at the budget and pauses the job with the reason', async () => {
    const provider = new ScriptedProvider({ pricePerImageUsd: 0.01 });
    harness = await createEngineHarness({ providers: [provider], limits: { maxConcurrency: 1 } });
    const jobId = await harness.createJob({ taskCount: 5, budgetUsd: 0.025, estimatedCostPerTaskUsd: 0.01 });
    harness.engine.start();
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'paused', 5_000, 'budget pause');
    const job = await harness.store.jobs.getJob(jobId);
    expect(job?.spentUsd).toBeCloseTo(0.02);
    expect(job?.statusReason).toMatch(/Budget reached/);
    expect(await harness.taskStatuses(jobId)).toEqual({ completed: 2, queued: 3 });
    await settle(100);
    expect(provider.calls).toHaveLength(2);
  });

  it('counts in-flight estimated cost against the budget', async () => {
    const provider = new ScriptedProvider({ pricePerImageUsd: 0.01, script: succeed(100) });
    harness = await createEngineHarness({ providers: [provider], limits: { maxConcurrency: 8 } });
    const jobId = await harness.createJob({ taskCount: 8, budgetUsd: 0.03, estimatedCostPerTaskUsd: 0.01 });
    harness.engine.start();
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'paused', 5_000, 'budget pause');
    // With 8 slots free, only 3 calls may ever be in flight or done.
    expect(provider.calls).toHaveLength(3);
  });

  it('cancel aborts the in-flight provider call at once', async () => {
    const provider = new ScriptedProvider({ script: hang() });
    harness = await createEngineHarness({ providers: [provider] });
    const jobId = await harness.createJob({ taskCount: 2 });
    harness.engine.start();
    await waitFor(() => provider.calls.length === 2, 5_000, 'calls in flight');
    const startedMs = Date.now();
    await harness.engine.cancelJob(jobId);
    await waitFor(() => provider.calls.every((call) => call.signal.aborted), 1_000, 'calls aborted');
    expect(Date.now() - startedMs).toBeLessThan(1_000);
    await waitFor(() => harness!.engine.inFlightCount === 0, 2_000, 'slots freed');
    expect((await harness.store.jobs.getJob(jobId))?.status).toBe('canceled');
    expect(await harness.taskStatuses(jobId)).toEqual({ canceled: 2 });
    expect(await harness.store.images.listImages({ jobId })).toHaveLength(0);
  });

  it('a cancel made elsewhere reaches a running call through the heartbeat', async () => {
    const provider = new ScriptedProvider({ script: hang() });
    harness = await createEngineHarness({ providers: [provider], settings: { leaseMs: 600 } });
    const jobId = await harness.createJob({ taskCount: 1 });
    harness.engine.start();
    await waitFor(() => provider.calls.length === 1, 5_000, 'call in flight');
    // Another process cancels through the store, not through this engine.
    await harness.store.control.cancelJob(jobId, Date.now());
    await waitFor(() => provider.calls[0]!.signal.aborted, 2_000, 'aborted by heartbeat');
  });

  it('pause stops new claims and lets running calls finish; resume continues', async () => {
    const provider = new ScriptedProvider({ script: succeed(80) });
    harness = await createEngineHarness({ providers: [provider], limits: { maxConcurrency: 1 } });
    const jobId = await harness.createJob({ taskCount: 4 });
    harness.engine.start();
    await waitFor(() => provider.calls.length === 1, 5_000, 'first call');
    await harness.engine.pauseJob(jobId);
    await waitFor(async () => (await harness!.taskStatuses(jobId)).completed === 1, 5_000, 'running call finished');
    await settle(150);
    expect(provider.calls).toHaveLength(1);
    expect((await harness.store.jobs.getJob(jobId))?.status).toBe('paused');
    await harness.engine.resumeJob(jobId);
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'completed', 5_000, 'completed after resume');
  });

  it('runs interactive jobs before bulk jobs', async () => {
    const provider = new ScriptedProvider({ script: succeed(5) });
    harness = await createEngineHarness({ providers: [provider], limits: { maxConcurrency: 1 } });
    const bulk = await harness.createJob({ taskCount: 5, priority: 'bulk', promptPrefix: 'bulk' });
    const interactive = await harness.createJob({ taskCount: 5, priority: 'interactive', promptPrefix: 'interactive' });
    harness.engine.start();
    await waitFor(async () => (await harness!.store.jobs.getJob(bulk))?.status === 'completed', 10_000, 'bulk done');
    expect((await harness.store.jobs.getJob(interactive))?.status).toBe('completed');
    expect(provider.calls.slice(0, 5).every((call) => call.prompt.startsWith('interactive'))).toBe(true);
  });

  it('is fair: a small job submitted during a big one finishes within a few task latencies', async () => {
    const latencyMs = 20;
    const provider = new ScriptedProvider({ script: succeed(latencyMs) });
    harness = await createEngineHarness({ providers: [provider], limits: { maxConcurrency: 2 } });
    const big = await harness.createJob({ taskCount: 300, promptPrefix: 'big' });
    harness.engine.start();
    await waitFor(async () => ((await harness!.taskStatuses(big)).completed ?? 0) >= 20, 10_000, 'big job under way');

    const small = await harness.createJob({ taskCount: 4, promptPrefix: 'small' });
    const bigCallsAtSubmit = provider.calls.filter((call) => call.prompt.startsWith('big')).length;
    await waitFor(async () => (await harness!.store.jobs.getJob(small))?.status === 'completed', 10_000, 'small job done');
    const bigCallsDuring = provider.calls.filter((call) => call.prompt.startsWith('big')).length - bigCallsAtSubmit;
    // Turns alternate between the two jobs: 4 small tasks interleave with about 4 big ones
    // (plus those already in flight), i.e. a few latencies, not the 280 left in the big job.
    expect(bigCallsDuring).toBeLessThanOrEqual(8);
    expect((await harness.store.jobs.getJob(big))?.status).toBe('processing');
  });

  it('runs a sequential job one task at a time, in order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const success = succeed();
    const provider = new ScriptedProvider({
      script: async (request, call) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10));
        inFlight -= 1;
        return success(request, call);
      },
    });
    harness = await createEngineHarness({ providers: [provider], limits: { maxConcurrency: 8 } });
    const jobId = await harness.createJob({ taskCount: 6, execution: 'sequential' });
    harness.engine.start();
    await waitFor(async () => (await harness!.store.jobs.getJob(jobId))?.status === 'completed', 5_000, 'done');
    expect(maxInFlight).toBe(1);
    expect(provider.calls.map((call) => call.prompt)).toEqual(Array.from({ length: 6 }, (_, index) => `prompt ${index}`));
  });

  it('holds the RPM limit: no more than N request starts in any minute, spread evenly over it (no burst at its top)', async () => {
    const clock = new ManualClock();
    const provider = new ScriptedProvider();
    harness = await createEngineHarness({ providers: [provider], clock, limits: { requestsPerMinute: 5, maxConcurrency: 8 } });
    const jobId = await harness.createJob({ taskCount: 12 });
    harness.engine.start();
    await waitFor(() => provider.calls.length === 1, 5_000, 'first start');
    await settle(100);
    expect(provider.calls).toHaveLength(1);
    // One start every (60 s + 50 ms late-start tolerance + 750 ms arrival margin) ÷ 5 = 12 160 ms.
    for (let call = 2; call <= 5; call += 1) {
      clock.advance(12_000);
      await settle(60);
      expect(provider.calls).toHaveLength(call - 1);
      clock.advance(160);
      await waitFor(() => provider.calls.length === call, 5_000, `start ${call}`);
    }
    // Five starts in the first minute; the sixth at the pace's next slot, 60 800 ms, once the first
    // start has also left the RPM window with its margin (60 750 ms).
    clock.advance(12_059);
    await settle(60);
    expect(provider.calls).toHaveLength(5);
    clock.advance(101);
    await waitFor(async () => (await harness!.taskStatuses(jobId)).completed === 6, 5_000, 'the sixth start, a minute after the first');
    expect(provider.calls).toHaveLength(6);
  });

  it('spaces request starts by the cool-down', async () => {
    const clock = new ManualClock();
    const provider = new ScriptedProvider();
    harness = await createEngineHarness({ providers: [provider], clock, limits: { cooldownMs: 2_000, maxConcurrency: 8 } });
    await harness.createJob({ taskCount: 3 });
    harness.engine.start();
    await waitFor(() => provider.calls.length === 1, 5_000, 'first');
    await settle(60);
    expect(provider.calls).toHaveLength(1);
    clock.advance(2_000);
    await waitFor(() => provider.calls.length === 2, 5_000, 'second after cool-down');
  });

  it('stops gracefully: lets calls finish within the grace period', async () => {
    const provider = new ScriptedProvider({ script: succeed(150) });
    harness = await createEngineHarness({ providers: [provider] });
    const jobId = await harness.createJob({ taskCount: 3 });
    harness.engine.start();
    await waitFor(() => provider.calls.length === 3, 5_000, 'calls in flight');
    await harness.engine.stop(5_000);
    expect(await harness.taskStatuses(jobId)).toEqual({ completed: 3 });
  });

  it('stops gracefully: releases calls still running after the grace period, using no attempt', async () => {
    const provider = new ScriptedProvider({ script: hang() });
    harness = await createEngineHarness({ providers: [provider] });
    const jobId = await harness.createJob({ taskCount: 2 });
    harness.engine.start();
    await waitFor(() => provider.calls.length === 2, 5_000, 'calls in flight');
    await harness.engine.stop(100);
    expect(provider.calls.every((call) => call.signal.aborted)).toBe(true);
    expect(await harness.taskStatuses(jobId)).toEqual({ queued: 2 });
    const tasks = await harness.store.jobs.listTasks(jobId, {});
    expect(tasks.every((task) => task.attempts === 0 && task.leaseExpirations === 0)).toBe(true);
  });

  it('emits events for progress displays and live updates', async () => {
    const provider = new ScriptedProvider();
    harness = await createEngineHarness({ providers: [provider] });
    const seen: DomainEvent[] = [];
    harness.engine.subscribe((event) => seen.push(event));
    const jobId = await harness.createJob({ taskCount: 2 });
    harness.engine.start();
    await waitFor(() => seen.some((event) => event.type === 'job.finished'), 5_000, 'job finished event');
    expect(seen.filter((event) => event.type === 'task.started')).toHaveLength(2);
    expect(seen.filter((event) => event.type === 'task.completed')).toHaveLength(2);
    const durable = await harness.store.events.readEvents(0, { jobId });
    expect(durable.map((event) => event.type)).toEqual(expect.arrayContaining(['job.started', 'task.started', 'task.completed', 'job.finished']));
  });
});
