import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet } from '../../src/fleet/create-fleet.js';
import { createHttpBenchProvider, httpBenchModelId, httpBenchProviderId } from '../../bench/support/http-bench-provider.js';
import { startRecordingServer, type RecordingServer } from '../../bench/support/recording-server.js';
import { recoveryApiKey, recoveryWorkerVariables } from '../../bench/support/recovery-worker-protocol.js';
import { encodeSmallPng, smallPngSidePixels } from '../../bench/support/small-png.js';
import { startWorkerProcess, type WorkerProcess } from '../../bench/support/worker-process.js';
import { makeTempDir } from '../support/temp-dir.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const workerScriptPath = path.join(repositoryRoot, 'bench/support/recovery-worker.ts');
const taskCount = 120;
const concurrency = 6;

/**
 * Claim exclusivity across real processes: three worker processes, each with its own SQLite
 * connection, share one database (the in-process test cannot exercise SQLite's file locking).
 */
describe('several worker processes on one store', () => {
  let server: RecordingServer | undefined;
  let workers: WorkerProcess[] = [];
  let cleanup: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.stop(5_000)));
    workers = [];
    await server?.close();
    await cleanup?.();
  });

  it('runs every task exactly once and completes each once', async () => {
    server = await startRecordingServer({ minLatencyMs: 5, maxLatencyMs: 30, png: await encodeSmallPng(), pngSidePixels: smallPngSidePixels });
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const config = loadConfig({ IMAGEFLEET_DATA_DIR: temp.directory, IMAGEFLEET_LOG_LEVEL: 'silent' });
    const provider = () => createHttpBenchProvider({ baseUrl: server!.baseUrl, apiKey: recoveryApiKey, typicalLatencyMs: 20 });

    // The submitter is its own process's connection: it submits, then closes before workers start.
    const submitter = await createFleet(config, { extraProviders: [provider()] });
    const prompts = Array.from({ length: taskCount }, (_, index) => ({ text: `multi-process task ${String(index).padStart(4, '0')}`, count: 1 }));
    const { job } = await submitter.submitJob({ mode: 'studio', provider: httpBenchProviderId, model: httpBenchModelId, batchSize: 1, items: [{ referenceAssetIds: [], prompts }] });
    await submitter.stop();

    const environment = {
      ...process.env,
      IMAGEFLEET_DATA_DIR: temp.directory,
      IMAGEFLEET_LOG_LEVEL: 'silent',
      IMAGEFLEET_MAX_IN_FLIGHT: '3',
      [recoveryWorkerVariables.providerUrl]: server.baseUrl,
      [recoveryWorkerVariables.jobId]: job!.id,
      [recoveryWorkerVariables.providerConcurrency]: String(concurrency),
    };
    workers = [0, 1, 2].map(() => startWorkerProcess({ scriptPath: workerScriptPath, cwd: repositoryRoot, env: environment }));
    const statuses = await Promise.all(workers.map((worker) => worker.jobEnded));
    expect(statuses).toEqual(['completed', 'completed', 'completed']);

    const promptsCalled = server.calls.map((call) => call.prompt);
    expect(promptsCalled).toHaveLength(taskCount);
    expect(new Set(promptsCalled).size).toBe(taskCount);
    // More than one process did the work.
    expect(new Set(server.calls.map((call) => call.callerPid)).size).toBeGreaterThan(1);

    const reader = await createFleet(config, { extraProviders: [provider()] });
    try {
      expect(await reader.store.jobs.taskCounts(job!.id)).toMatchObject({ completed: taskCount, queued: 0, running: 0, failed: 0 });
      expect(await reader.store.images.listImages({ jobId: job!.id, limit: 1_000 })).toHaveLength(taskCount);
    } finally {
      await reader.stop();
    }
  });
});
