/**
 * The `runpod` provider through the real engine (`createFleet` with `RUNPOD_BASE_URL` pointing at
 * the fake endpoint): 100 tasks through injected 429s with one `/run` each; a restart that
 * re-attaches instead of resubmitting; cancel reaching the endpoint; a bad key or endpoint pausing
 * instead of failing; worker failures, timeouts and expired jobs classified as the engine expects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Fleet } from '../../../src/fleet/create-fleet.js';
import { startFakeRunpodServer, type FakeJobOutcome, type FakeRunpodServer, type FakeRunpodServerOptions } from '../../fakes/runpod/fake-runpod-server.js';
import { waitFor } from '../../support/engine-harness.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { canaryRunpodKey, fakeEndpointId, jobFinished, openRunpodFleet, RecordingLogger, studioJob } from './runpod-test-kit.js';

describe('RunPod through the engine', () => {
  let fake: FakeRunpodServer;
  let dataDir: string;
  let cleanupDirectory: () => Promise<void>;
  let logger: RecordingLogger;
  const fleets: Fleet[] = [];

  async function prepare(options: Partial<FakeRunpodServerOptions> = {}): Promise<void> {
    fake = await startFakeRunpodServer({ apiKey: canaryRunpodKey, endpointId: fakeEndpointId, ...options });
    const temp = await makeTempDir();
    dataDir = temp.directory;
    cleanupDirectory = temp.cleanup;
    logger = new RecordingLogger();
    fleets.length = 0;
  }

  async function open(environment: Record<string, string> = {}): Promise<Fleet> {
    const fleet = await openRunpodFleet(fake, dataDir, logger, environment);
    fleets.push(fleet);
    return fleet;
  }

  afterEach(async () => {
    for (const fleet of fleets) await fleet.stop();
    await fake.close();
    for (const line of logger.lines) expect(line).not.toContain(canaryRunpodKey);
    await cleanupDirectory();
  });

  /** `/run` calls per task key: each must be 1 when nothing was paid twice. */
  function runsPerTaskKey(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const jobId of fake.runs) {
      const key = String(fake.jobs.get(jobId)?.input.taskKey);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  it('completes 100 tasks through injected 429s, one /run per task, with the policy, the key as a bearer token and the cost', { timeout: 120_000 }, async () => {
    await prepare({ rateLimitEvery: 25 });
    const fleet = await open();
    const { job } = await fleet.submitJob(studioJob(100));
    fleet.start();
    await jobFinished(fleet, job!.id, 110_000);

    const done = await fleet.store.jobs.getJob(job!.id);
    expect(done?.status).toBe('completed');
    expect(await fleet.store.jobs.taskCounts(job!.id)).toMatchObject({ completed: 100, failed: 0 });
    const images = await fleet.store.images.listImages({ jobId: job!.id, limit: 1000 });
    expect(images).toHaveLength(100);
    expect(new Set(images.map((image) => image.seed)).size).toBe(100);
    expect(images.every((image) => image.width === 512 && image.height === 512)).toBe(true);

    expect(fake.requests.filter((request) => request.status === 429).length).toBeGreaterThan(3);
    expect(fake.runs).toHaveLength(100);
    expect([...runsPerTaskKey().values()].every((count) => count === 1)).toBe(true);
    const first = fake.jobs.get(fake.runs[0]!)!;
    expect(first.policy).toEqual({ executionTimeout: 600_000, ttl: 86_400_000 });
    expect(first.input).toMatchObject({ protocol: 1, provider: 'local', model: 'local-transform', size: '512', aspectRatio: '1:1', n: 1 });
    expect(fake.requests.filter((request) => request.status !== 429).every((request) => request.authorization === `Bearer ${canaryRunpodKey}`)).toBe(true);
    // The worker's $0.01 per image plus 1.5 s of execution at $0.0002/s.
    expect(done?.spentUsd).toBeCloseTo(100 * (0.01 + 1.5 * 0.0002), 6);
  });

  it('re-attaches to the submitted jobs after a restart instead of submitting them again', { timeout: 60_000 }, async () => {
    await prepare({ completion: 'manual' });
    const first = await open();
    const { job } = await first.submitJob(studioJob(10));
    first.start();
    await waitFor(async () => (await first.store.jobs.listTasks(job!.id, {})).every((task) => task.remoteHandle !== undefined), 20_000, 'every handle saved');
    const handles = (await first.store.jobs.listTasks(job!.id, {})).map((task) => task.remoteHandle);
    await first.stop();
    expect(fake.runs).toHaveLength(10);
    expect(handles.every((handle) => /^runpod:imagefleet-test-endpoint\/[0-9a-f-]+$/.test(handle ?? ''))).toBe(true);

    await fake.finishAll();
    const second = await open();
    second.start();
    await jobFinished(second, job!.id);
    expect((await second.store.jobs.getJob(job!.id))?.status).toBe('completed');
    expect(fake.runs).toHaveLength(10);
    expect([...runsPerTaskKey().values()].every((count) => count === 1)).toBe(true);
  });

  it('cancels the RunPod jobs of a canceled job', async () => {
    await prepare({ completion: 'manual' });
    const fleet = await open();
    const { job } = await fleet.submitJob(studioJob(3));
    fleet.start();
    await waitFor(async () => (await fleet.store.jobs.listTasks(job!.id, {})).every((task) => task.remoteHandle !== undefined), 20_000, 'every handle saved');
    await fleet.engine.cancelJob(job!.id);
    await waitFor(() => fake.cancels.length === 3, 10_000, 'three cancels');
    expect(new Set(fake.cancels)).toEqual(new Set(fake.runs));
    expect([...fake.jobs.values()].every((remote) => remote.status === 'CANCELLED')).toBe(true);
    expect((await fleet.store.jobs.getJob(job!.id))?.status).toBe('canceled');
  });

  it('pauses the provider on a refused key, fails nothing, and resumes when the key changes', async () => {
    await prepare();
    const first = await open({ RUNPOD_API_KEY: 'rpa_wrong-key-0000' });
    const { job } = await first.submitJob(studioJob(3));
    first.start();
    await waitFor(async () => (await first.store.queue.providerStates()).some((state) => state.scopeKey === 'runpod' && state.pausedReason !== undefined), 20_000, 'the provider paused');
    const state = (await first.store.queue.providerStates()).find((candidate) => candidate.scopeKey === 'runpod');
    expect(state?.pausedReason).toMatch(/check RUNPOD_API_KEY/);
    expect(state?.pausedReason).not.toContain('rpa_wrong-key-0000');
    await waitFor(async () => (await first.store.jobs.taskCounts(job!.id)).running === 0, 10_000, 'nothing running');
    expect(await first.store.jobs.taskCounts(job!.id)).toMatchObject({ queued: 3, failed: 0 });
    expect(fake.runs).toHaveLength(0);
    await first.stop();

    const second = await open();
    second.start();
    await jobFinished(second, job!.id);
    expect((await second.store.jobs.getJob(job!.id))?.status).toBe('completed');
  });

  it('pauses the provider with a clear message when the endpoint does not exist', async () => {
    await prepare();
    const fleet = await open({ RUNPOD_ENDPOINT_ID: 'no-such-endpoint' });
    const { job } = await fleet.submitJob(studioJob(2));
    fleet.start();
    await waitFor(async () => (await fleet.store.queue.providerStates()).some((state) => state.scopeKey === 'runpod' && state.pausedReason !== undefined), 20_000, 'the provider paused');
    const state = (await fleet.store.queue.providerStates()).find((candidate) => candidate.scopeKey === 'runpod');
    expect(state?.pausedReason).toMatch(/no endpoint "no-such-endpoint".*check RUNPOD_ENDPOINT_ID/);
    await waitFor(async () => (await fleet.store.jobs.taskCounts(job!.id)).running === 0, 10_000, 'nothing running');
    expect(await fleet.store.jobs.taskCounts(job!.id)).toMatchObject({ queued: 2, failed: 0 });
  });

  it('keeps the worker\'s failure class: blocked stays blocked, invalid fails, a timeout or an expired job is submitted again', async () => {
    const outcomes = new Map<string, 'blocked' | 'invalid' | 'timeout' | 'expire'>([
      ['blocked', 'blocked'],
      ['invalid', 'invalid'],
      ['timeout', 'timeout'],
      ['expire', 'expire'],
    ]);
    const seen = new Set<string>();
    function outcomeFor(input: Record<string, unknown>, jobId: string): FakeJobOutcome {
      const prompt = String(input.prompt);
      const outcome = outcomes.get(prompt);
      if (outcome === 'blocked') return { error: JSON.stringify({ imagefleetError: { kind: 'blocked', message: 'Gemini blocked the prompt (SAFETY).' } }) };
      if (outcome === 'invalid') return { error: JSON.stringify({ imagefleetError: { kind: 'invalid', message: 'Unknown model "x".' } }) };
      // The first run of these ends badly; the resubmitted one succeeds.
      if (outcome !== undefined && !seen.has(prompt)) {
        seen.add(prompt);
        if (outcome === 'timeout') return { timedOut: true };
        fake.jobs.get(jobId)!.expired = true;
      }
      return { output: { protocol: 1, provider: 'local', model: 'local-transform', images: [{ base64: tinyPngBase64, mediaType: 'image/png', width: 8, height: 8 }], warnings: ['seed ignored'], costUsd: 0 } };
    }
    await prepare({ execute: (input, jobId) => Promise.resolve(outcomeFor(input, jobId)) });
    const fleet = await open();
    const jobIds: string[] = [];
    for (const prompt of ['blocked', 'invalid', 'timeout', 'expire']) {
      const { job } = await fleet.submitJob(studioJob(1, prompt));
      jobIds.push(job!.id);
    }
    fleet.start();
    for (const jobId of jobIds) await jobFinished(fleet, jobId);
    const [blocked, invalid, timeout, expire] = await Promise.all(jobIds.map((jobId) => fleet.store.jobs.listTasks(jobId, {})));
    expect(blocked?.[0]).toMatchObject({ status: 'blocked', lastErrorCode: 'provider_blocked' });
    expect(blocked?.[0]?.lastErrorMessage).toMatch(/Worker: Gemini blocked the prompt/);
    expect(invalid?.[0]).toMatchObject({ status: 'failed', lastErrorCode: 'provider_invalid' });
    expect(timeout?.[0]?.status).toBe('completed');
    expect(expire?.[0]?.status).toBe('completed');
    // Blocked and invalid ran once; the timed-out and expired ones twice.
    expect(runsPerTaskKey().size).toBe(4);
    expect([...runsPerTaskKey().values()].sort()).toEqual([1, 1, 2, 2]);
  });
});

const tinyPngBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWM4UaGBFTEMLQkAUtVaAUH78mEAAAAASUVORK5CYII=';
